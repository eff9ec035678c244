--[[
  Settles an operator message's number in its chat (sent, refused with a note, or given up): the
  next number may go. A number settled after its gap was passed leaves `next` where it is.
  KEYS[1] the chat's operator order hash
  ARGV[1] the settled number   ARGV[2] order hash ttl ms
  Returns the chat's next number.
]]
local n = tonumber(ARGV[1])
redis.call('HDEL', KEYS[1], 'j:' .. ARGV[1])
local next = tonumber(redis.call('HGET', KEYS[1], 'next') or '1')
if n >= next then
  next = n + 1
  redis.call('HSET', KEYS[1], 'next', next)
  redis.call('HDEL', KEYS[1], 'gap')
end
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]))
return next
