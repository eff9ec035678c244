--[[
  Records one step of a subscription's delivery, only while the caller still holds its lease and
  the subscription still exists (a removed subscription stops; a lapsed lease's late answer is dropped).
  KEYS[1] delivery state hash   KEYS[2] lease key   KEYS[3] delivery log list   KEYS[4] subscriptions hash
  ARGV[1] lease token   ARGV[2] subscription id   ARGV[3] lease ms (renewed)
  ARGV[4] cursor ('' = unchanged)   ARGV[5] attempts   ARGV[6] next try ms (0 = none)
  ARGV[7] log entry JSON ('' = none)   ARGV[8] log length kept
  Returns 1 when recorded, 0 when the lease or the subscription is gone.
]]
if redis.call('GET', KEYS[2]) ~= ARGV[1] then return 0 end
if redis.call('HEXISTS', KEYS[4], ARGV[2]) == 0 then return 0 end
if ARGV[4] ~= '' then redis.call('HSET', KEYS[1], 'cursor', ARGV[4]) end
redis.call('HSET', KEYS[1], 'attempts', ARGV[5], 'nextAt', ARGV[6])
if ARGV[7] ~= '' then
  redis.call('LPUSH', KEYS[3], ARGV[7])
  redis.call('LTRIM', KEYS[3], 0, tonumber(ARGV[8]) - 1)
end
redis.call('PEXPIRE', KEYS[2], tonumber(ARGV[3]))
return 1
