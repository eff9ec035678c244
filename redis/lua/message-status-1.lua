--[[
  Applies a delivery status to a sent message. Statuses arrive out of order and concurrently:
  the status only moves forward (sent < delivered < read < failed); `read` implies delivered.
  A status may arrive before the send is recorded: the record is started and filled in later.
  KEYS[1] message hash (fields: see send-record-5.lua; records of older releases use long names,
  `status`, `deliveredAt` …, which message-store.ts still reads)
  ARGV[1] status   ARGV[2] at ms   ARGV[3] error code ('' = none)   ARGV[4] ttl seconds
  Returns the stored status after the update.
]]
local rank = { sent = 0, delivered = 1, read = 2, failed = 3 }
local field = { sent = 't', delivered = 'd', read = 'r', failed = 'f' }
local current = redis.call('HGET', KEYS[1], 's')
local old = redis.call('HGET', KEYS[1], 'status')
if old and (not current or (rank[old] or 0) > (rank[current] or 0)) then current = old end
if ARGV[1] ~= 'sent' or redis.call('HEXISTS', KEYS[1], 't') == 0 then
  redis.call('HSET', KEYS[1], field[ARGV[1]], ARGV[2])
end
if ARGV[1] == 'read' and redis.call('HEXISTS', KEYS[1], 'd') == 0 and redis.call('HEXISTS', KEYS[1], 'deliveredAt') == 0 then
  redis.call('HSET', KEYS[1], 'd', ARGV[2])
end
if not current or rank[ARGV[1]] > (rank[current] or 0) then current = ARGV[1] end
redis.call('HSET', KEYS[1], 's', current)
if ARGV[3] ~= '' then redis.call('HSET', KEYS[1], 'e', ARGV[3]) end
redis.call('EXPIRE', KEYS[1], tonumber(ARGV[4]))
return current
