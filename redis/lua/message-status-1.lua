--[[
  Applies a delivery status to a sent message. Statuses arrive out of order and concurrently:
  the status only moves forward (sent < delivered < read < failed); `read` implies delivered.
  A status may arrive before the send is recorded: the record is started and filled in later.
  KEYS[1] message hash
  ARGV[1] status   ARGV[2] at ms   ARGV[3] error code ('' = none)   ARGV[4] member id
  ARGV[5] provider message id   ARGV[6] ttl seconds
  Returns the stored status after the update.
]]
local rank = { sent = 0, delivered = 1, read = 2, failed = 3 }
local current = redis.call('HGET', KEYS[1], 'status')
redis.call('HSET', KEYS[1], ARGV[1] .. 'At', ARGV[2])
if ARGV[1] == 'read' and redis.call('HEXISTS', KEYS[1], 'deliveredAt') == 0 then
  redis.call('HSET', KEYS[1], 'deliveredAt', ARGV[2])
end
if not current or rank[ARGV[1]] > (rank[current] or 0) then
  redis.call('HSET', KEYS[1], 'status', ARGV[1])
  current = ARGV[1]
end
if ARGV[3] ~= '' then redis.call('HSET', KEYS[1], 'errorCode', ARGV[3]) end
if redis.call('HEXISTS', KEYS[1], 'providerMessageId') == 0 then
  redis.call('HSET', KEYS[1], 'memberId', ARGV[4], 'providerMessageId', ARGV[5])
end
redis.call('EXPIRE', KEYS[1], tonumber(ARGV[6]))
return current
