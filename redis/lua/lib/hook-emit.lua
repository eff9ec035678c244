--[[
  hook_emit: appends one outbound event to the portal's event stream, once per event id, and only
  when the portal has subscriptions (nobody reads the stream otherwise). Each subscription reads the
  stream from its own cursor, so one append serves them all and keeps their order.
  seen: the event id's marker key   stream: the portal's event stream   subs: its subscriptions hash
  Returns 1 when appended, 0 when there is nobody to tell or it was emitted before.
]]
local function hook_emit(seen, stream, subs, event_id, event_type, body, at_ms, seen_ms, channel, member)
  if event_id == '' or redis.call('HLEN', subs) == 0 then return 0 end
  if not redis.call('SET', seen, '1', 'PX', tonumber(seen_ms), 'NX') then return 0 end
  redis.call('XADD', stream, '*', 'id', event_id, 'type', event_type, 'at', at_ms, 'body', body)
  redis.call('PUBLISH', channel, member)
  return 1
end
