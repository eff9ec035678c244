--[[
  Extends the lease of callbacks a live dispatcher is still working on (its batch call can take
  longer than the lease: a slow portal, a wait for the REST limit), so nobody else claims them.
  Only entries still due later than now are moved (XX: acked ones stay gone; GT: never earlier).
  KEYS[1] due zset
  ARGV[1] new due ms   ARGV[2..] callback ids
  Returns how many leases were extended.
]]
local extended = 0
for i = 2, #ARGV do
  extended = extended + redis.call('ZADD', KEYS[1], 'XX', 'GT', 'CH', tonumber(ARGV[1]), ARGV[i])
end
return extended
