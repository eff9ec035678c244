--[[
  Ends a wait exactly once and queues its callback in the same step: a reply, a duplicate
  webhook, a timeout and a cancellation can race; only the first wins, and the callback
  survives a crash because it is written with the claim.
  KEYS[1] wait hash   KEYS[2] waits-by-phone zset   KEYS[3] open-waits zset
  KEYS[4] callback pending hash   KEYS[5] callback due zset
  ARGV[1] wait id   ARGV[2] outcome status (answered|timeout|cancelled|delivered|...)
  ARGV[3] outcome json   ARGV[4] callback token hash ('' = no callback)   ARGV[5] callback json   ARGV[6] now ms
  ARGV[7] end reason   ARGV[8] ms to keep the ended wait (late replies still find it)
  Returns 1 when claimed, 0 when the wait had already ended, -1 when there is no such wait.
]]
local status = redis.call('HGET', KEYS[1], 'status')
if not status then return -1 end
if status ~= 'open' then return 0 end
redis.call('HSET', KEYS[1], 'status', ARGV[2], 'outcome', ARGV[3], 'endedAt', ARGV[6], 'endReason', ARGV[7])
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[8]))
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('ZREM', KEYS[3], ARGV[1])
if ARGV[4] ~= '' then
  if redis.call('HSETNX', KEYS[4], ARGV[4], ARGV[5]) == 1 then
    redis.call('ZADD', KEYS[5], ARGV[6], ARGV[4])
  end
end
return 1
