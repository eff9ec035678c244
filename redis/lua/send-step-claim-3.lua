--[[
  Marks one send step of a call "in flight" just before the provider call, and says what an
  earlier attempt left: nothing (send), a provider message id (sent: never send again), or an
  in-flight mark of its own (that attempt stopped between the provider call and recording its
  answer — a crash, a time-out, a 5xx: the message may have left). The caller's mark replaces an
  earlier one, so a later attempt still sees "maybe sent". A step whose message belongs to a wait
  is recorded in the wait (`m`, by send-record-5.lua) instead of the sent-step hash.
  KEYS[1] sent-step hash   KEYS[2] the wait holding the step (any key of the portal when none)
  KEYS[3] the portal's wait-index hash (holds an open wait: lib/wait-record.lua)
  ARGV[1] step field   ARGV[2] this attempt's mark   ARGV[3] the marks' prefix   ARGV[4] ttl s
  ARGV[5] '1' when KEYS[2] is a wait that may hold the step   ARGV[6] the wait's own field of the index hash
  Returns {'new', ''} | {'maybe', earlier mark} | {'sent', provider message id}.
]]
if ARGV[5] == '1' then
  local raw = wait_read(KEYS[3], ARGV[6], KEYS[2])
  if raw then
    local wait = cjson.decode(raw)
    if wait.m then return {'sent', wait.m} end
  end
end
local current = redis.call('HGET', KEYS[1], ARGV[1])
if current and string.sub(current, 1, #ARGV[3]) ~= ARGV[3] then return {'sent', current} end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('EXPIRE', KEYS[1], tonumber(ARGV[4]))
if current then return {'maybe', current} end
return {'new', ''}
