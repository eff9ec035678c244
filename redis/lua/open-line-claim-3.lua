--[[
  Leases one due chat of the open-line outbox: no other dispatcher takes it until the lease ends.
  The lease carries the claimer's token: settling and renewing check it (a holder whose lease ran
  out and was taken over can no longer touch the chat).
  KEYS[1] the portal's due chats (zset)   KEYS[2] the chat's queue (zset)   KEYS[3] lease holders (hash)
  ARGV[1] chat key   ARGV[2] now ms   ARGV[3] lease until ms   ARGV[4] max items   ARGV[5] newest score to take
  ARGV[6] the claimer's token
  Returns {} when the chat is not due (another holds it, or it waits to retry), else
  {firstScore, item, item, ...}: firstScore is the oldest item's score ('' when the queue is empty).
]]
local due = redis.call('ZSCORE', KEYS[1], ARGV[1])
if not due or tonumber(due) > tonumber(ARGV[2]) then return {} end
redis.call('ZADD', KEYS[1], tonumber(ARGV[3]), ARGV[1])
redis.call('HSET', KEYS[3], ARGV[1], ARGV[6])
local first = redis.call('ZRANGE', KEYS[2], 0, 0, 'WITHSCORES')
local out = { first[2] or '' }
local items = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', ARGV[5], 'LIMIT', 0, tonumber(ARGV[4]))
for _, item in ipairs(items) do table.insert(out, item) end
return out
