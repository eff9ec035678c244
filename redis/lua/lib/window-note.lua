--[[
  Notes a customer's message on a line: the 24-hour window runs from the newest one (a message
  delivered late, older than the one kept, changes nothing but the key's life). The line's
  tracking start is set once, so "no record" later means "not in the tracked time".
  window_key: the customer's window key; tracking_key: the portal's tracking hash; at: the message's
  time (Unix s); line_id: the field of tracking_key; now: ms; ttl: the window key's time-to-live (s).
  Returns the kept time (Unix s).
]]
local function note_window(window_key, tracking_key, at, line_id, now, ttl)
  local kept = tonumber(redis.call('GET', window_key) or '0')
  redis.call('HSETNX', tracking_key, line_id, now)
  if at > kept then
    redis.call('SET', window_key, at, 'EX', ttl)
    return at
  end
  redis.call('EXPIRE', window_key, ttl)
  return kept
end
