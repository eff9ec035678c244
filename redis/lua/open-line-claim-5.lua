--[[
  Leases one due chat of the open-line outbox: no other dispatcher takes it until the lease ends.
  The lease carries the claimer's token: settling and renewing check it (a holder whose lease ran
  out and was taken over can no longer touch the chat).
  KEYS[1] the portal's due chats (zset)   KEYS[2] the chat's queue (zset)   KEYS[3] lease holders (hash)
  KEYS[4] the chat's order hash   KEYS[5] the portal's open-line attachments (hash, by WhatsApp line)
  ARGV[1] chat key   ARGV[2] now ms   ARGV[3] lease until ms   ARGV[4] max items   ARGV[5] the claimer's token
  ARGV[6] the chat's WhatsApp line ('' = none: its attachment is not read)
  Returns {} when the chat is not due (another holds it, or it waits to retry), else
  {next, gap, firstScore, attachment, item, item, ...}: the number to settle next ('' = none yet),
  the gap it waits on ('since|awaited', '' = none), the oldest item's score ('' when the queue is
  empty), the line's attachment JSON as read with the items ('' = none; the dispatcher routes the
  items of an open line the line left by it, at no extra round trip), then the oldest items in
  arrival order.
]]
local due = redis.call('ZSCORE', KEYS[1], ARGV[1])
if not due or tonumber(due) > tonumber(ARGV[2]) then return {} end
redis.call('ZADD', KEYS[1], tonumber(ARGV[3]), ARGV[1])
redis.call('HSET', KEYS[3], ARGV[1], ARGV[5])
-- Items queued from now on leave `arrived` for the settle (see open-line-enqueue-6).
redis.call('HDEL', KEYS[4], 'wait', 'arrived')
local order = redis.call('HMGET', KEYS[4], 'next', 'gap')
local first = redis.call('ZRANGE', KEYS[2], 0, 0, 'WITHSCORES')
local attachment = ARGV[6] ~= '' and redis.call('HGET', KEYS[5], ARGV[6]) or false
local out = { order[1] or '', order[2] or '', first[2] or '', attachment or '' }
local items = redis.call('ZRANGE', KEYS[2], 0, tonumber(ARGV[4]) - 1)
for _, item in ipairs(items) do table.insert(out, item) end
return out
