--[[
  Claims a once-per-period slot kept in one field of a hash (a refresh per portal per 10 s, a
  warning per minute): every process honours the same period. Times come from the caller's
  injected clock, so tests move them; a clock more than a period away from the one that claimed
  (skew, a test's clock) counts as a free slot rather than a slot blocked for hours.
  KEYS[1] hash
  ARGV[1] field with the time (ms) the slot was last claimed   ARGV[2] now (ms)   ARGV[3] period (ms)
  ARGV[4] the hash's time-to-live (ms): garbage collection only, longer than any period
  ARGV[5] a field the claim deletes ('' = none): what the previous holder recorded
  Fields come as ARGV, spelled by keys.ts only.
  Returns 0 when claimed now, else the ms until the slot frees.
]]
local last = tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '')
local now = tonumber(ARGV[2])
local period = tonumber(ARGV[3])
if last then
  local apart = math.abs(now - last)
  if apart < period then return period - apart end
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
if ARGV[5] ~= '' then redis.call('HDEL', KEYS[1], ARGV[5]) end
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[4]))
return 0
