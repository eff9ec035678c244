--[[
  Passes a missing operator message number after its gap time-out, once: only when the chat still
  waits for exactly that number, so of several held messages only the next one may go (the others
  keep waiting for it, one by one).
  KEYS[1] the chat's operator order hash
  ARGV[1] the missing number   ARGV[2] order hash ttl ms
  Returns the chat's next number (unchanged when another holder passed it, or it settled, first).
]]
local awaited = tonumber(ARGV[1])
local next = tonumber(redis.call('HGET', KEYS[1], 'next') or '1')
if next ~= awaited then return next end
next = awaited + 1
redis.call('HSET', KEYS[1], 'next', next)
redis.call('HDEL', KEYS[1], 'gap', 'j:' .. ARGV[1])
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]))
return next
