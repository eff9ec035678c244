--[[
  Takes the slot of queuing an attachment's switch-off check again (a refused customer message or
  the maintenance sweep), in one step: the count of re-queues since its check last wrote (n) is
  read, the period it gives is claimed, and n grows by one with the claim. Two racing takers read
  one n, and only one of them claims; n grows once per slot claimed.
  The period is base·2^(n-1), base while n < 2, never more than max: lib/backoff.ts's
  doublingPauseMs(base, max, n), which the store's test pins against this script.
  Times come from the caller's injected clock; a clock more than a period away from the one that
  claimed (skew, a test's clock) counts as a free slot (as period-claim-1).
  KEYS[1] the portal's re-queue hash
  ARGV[1] field with the time (ms) the slot was last claimed   ARGV[2] field with n
  ARGV[3] now (ms)   ARGV[4] base period (ms)   ARGV[5] longest period (ms)
  ARGV[6] the hash's shortest time-to-live (ms); it is kept at least 10 periods: garbage collection only
  Fields come as ARGV, spelled by keys.ts only.
  Returns 0 when claimed now, else the ms until the slot frees.
]]
local n = tonumber(redis.call('HGET', KEYS[1], ARGV[2]) or '') or 0
local now = tonumber(ARGV[3])
local base = tonumber(ARGV[4])
local period = math.min(tonumber(ARGV[5]), base * 2 ^ math.max(0, n - 1))
local last = tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '')
if last then
  local apart = math.abs(now - last)
  if apart < period then return period - apart end
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
redis.call('HINCRBY', KEYS[1], ARGV[2], 1)
redis.call('PEXPIRE', KEYS[1], math.max(10 * period, tonumber(ARGV[6])))
return 0
