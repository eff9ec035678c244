--[[
  Queues one item in a chat of the open-line outbox, once per item id.
  KEYS[1] seen key   KEYS[2] the chat's queue (zset)   KEYS[3] the portal's due chats (zset)
  KEYS[4] the chat's counter of items of this arrival ms   KEYS[5] the chat's order hash
  KEYS[6] the portal's open-line attachments (hash: WhatsApp line id -> attachment json)
  ARGV[1] chat key   ARGV[2] arrival ms   ARGV[3] item json   ARGV[4] due ms   ARGV[5] seen ttl s
  ARGV[6] most items a chat keeps (the oldest beyond it are dropped: a chat the portal does not take
  for a long time stays bounded)
  ARGV[7] the WhatsApp line a customer message (or its skip marker) is queued for ('' = no check)
  ARGV[8] the open line the caller read it attached to; '' for a skip marker: the caller read the
  line not relayable (detached, switched off, taken replies not relayed)
  ARGV[9] '1' when a robot's wait took the message (relayTaken needed)
  Returns {queued, dropped}: queued 1, or 0 when this id was queued before; how many old items were dropped.
  Queued -1 (nothing written): the line's attachment is no longer what the caller read (a customer
  message: detached, moved to another open line, switched off, taken replies no longer relayed; a skip
  marker: attached, switched on, taken replies relayed now); it reads it again.
]]
-- The caller read the attachment a while ago (a reply's stage read, a re-ask send): checked here, in
-- the step that queues, so a message never goes to an open line its line no longer serves, and is
-- never skipped for a line that serves one now (both decisions are checked, not only "queue it").
if ARGV[7] ~= '' then
  local raw = redis.call('HGET', KEYS[6], ARGV[7])
  local ok, a = false, nil
  if raw then ok, a = pcall(cjson.decode, raw) end
  local relayable = ok and type(a) == 'table' and a.active ~= false and (ARGV[9] ~= '1' or a.relayTaken == true)
  if ARGV[8] == '' then
    if relayable then return { -1, 0 } end
  elseif not relayable or a.openLineId ~= ARGV[8] then
    return { -1, 0 }
  end
end
if redis.call('SET', KEYS[1], '1', 'NX', 'EX', tonumber(ARGV[5])) == false then return { 0, 0 } end
-- Arrival ms then a counter of that chat and ms: items of the same ms keep the order they were
-- queued in (a shared counter wrapping at 1000 could put a later one first).
local seq = math.min(redis.call('INCR', KEYS[4]) - 1, 999)
redis.call('PEXPIRE', KEYS[4], 60000)
redis.call('ZADD', KEYS[2], tonumber(ARGV[2]) * 1000 + seq, ARGV[3])
local dropped = redis.call('ZCARD', KEYS[2]) - tonumber(ARGV[6])
if dropped > 0 then
  redis.call('ZREMRANGEBYRANK', KEYS[2], 0, dropped - 1)
else
  dropped = 0
end
if redis.call('HDEL', KEYS[5], 'wait') == 1 then
  -- The chat sleeps on a missing number (no lease holds it: a claim clears the flag): this may be
  -- the one it waits for, so it is due now.
  redis.call('ZADD', KEYS[3], tonumber(ARGV[4]), ARGV[1])
else
  -- A chat already due (or leased, or waiting to retry) keeps its time. A leased one may be about
  -- to sleep on a gap this item fills: `arrived` tells its settle not to (only numbered chats have
  -- an order hash, and gaps; it keeps its ttl).
  redis.call('ZADD', KEYS[3], 'NX', tonumber(ARGV[4]), ARGV[1])
  if redis.call('EXISTS', KEYS[5]) == 1 then redis.call('HSET', KEYS[5], 'arrived', '1') end
end
return { 1, dropped }
