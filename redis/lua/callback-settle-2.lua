--[[
  Settles leased callbacks after a batch: acknowledged ones leave the outbox, rescheduled ones
  (kept for another worker) only become due again later, the others are due again at their retry
  time with their updated json (e.g. the attempt count).
  KEYS[1] pending hash   KEYS[2] due zset
  ARGV[1] count of acks   ARGV[2..] ack ids,
  then the count of reschedules and (id, SHA1 of the json as claimed by callback-claim-2, dueMs) triples,
  then (id, json, dueMs) triples to retry
  Returns the earliest due ms still in the outbox, or -1 when it is empty.
]]
local acks = tonumber(ARGV[1])
for i = 2, 1 + acks do
  redis.call('HDEL', KEYS[1], ARGV[i])
  redis.call('ZREM', KEYS[2], ARGV[i])
end
local i = 3 + acks
for _ = 1, tonumber(ARGV[2 + acks]) do
  -- Only the due time, and only while the row is as claimed: one rewritten meanwhile (another
  -- worker's retry, once this one's lease lapsed) keeps its json and its due time. Only later (GT):
  -- another worker holding the same row (claimed once this one's lease lapsed) keeps its lease,
  -- even when this worker's clock is behind.
  local json = redis.call('HGET', KEYS[1], ARGV[i])
  if json and redis.sha1hex(json) == ARGV[i + 1] then
    redis.call('ZADD', KEYS[2], 'GT', ARGV[i + 2], ARGV[i])
  end
  i = i + 3
end
while i + 2 <= #ARGV do
  -- Only if still pending: another process whose lease came later may have delivered it already.
  if redis.call('HEXISTS', KEYS[1], ARGV[i]) == 1 then
    redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1])
    redis.call('ZADD', KEYS[2], ARGV[i + 2], ARGV[i])
  end
  i = i + 3
end
local first = redis.call('ZRANGE', KEYS[2], 0, 0, 'WITHSCORES')
if #first == 0 then return -1 end
return tonumber(first[2])
