--[[
  Marks one send step of a call "in flight" just before the provider call, and says what an
  earlier attempt left: nothing (send), a provider message id (sent: never send again), or an
  in-flight mark of its own (that attempt stopped between the provider call and recording its
  answer — a crash, a time-out, a 5xx: the message may have left). The caller's mark replaces an
  earlier one, so a later attempt still sees "maybe sent".
  KEYS[1] sent-step hash
  ARGV[1] step field   ARGV[2] this attempt's mark   ARGV[3] the marks' prefix   ARGV[4] ttl s
  Returns {'new', ''} | {'maybe', earlier mark} | {'sent', provider message id}.
]]
local current = redis.call('HGET', KEYS[1], ARGV[1])
if current and string.sub(current, 1, #ARGV[3]) ~= ARGV[3] then return {'sent', current} end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('EXPIRE', KEYS[1], tonumber(ARGV[4]))
if current then return {'maybe', current} end
return {'new', ''}
