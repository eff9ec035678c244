--[[
  Releases a lock only when this holder still has it (its lapsed lock may already be someone else's).
  KEYS[1] lock key
  ARGV[1] the holder's random value
  Returns 1 when released, 0 when the lock is gone or another holder's.
]]
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
