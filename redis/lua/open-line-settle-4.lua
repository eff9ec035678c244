--[[
  Settles a leased chat: delivered items leave its queue; the chat is due again at ARGV[2], or
  leaves the due set when its queue is empty. Only the lease's holder settles: a token that is no
  longer the chat's (the lease ran out and another dispatcher took the chat) changes nothing.
  The chat's order moves with it: the number to settle next, and the gap it waits on.
  KEYS[1] the portal's due chats (zset)   KEYS[2] the chat's queue (zset)   KEYS[3] lease holders (hash)
  KEYS[4] the chat's order hash
  ARGV[1] chat key   ARGV[2] next due ms   ARGV[3] the holder's token
  ARGV[4] next number ('' = unchanged)   ARGV[5] the gap ('-' = unchanged, '' = none, else 'since|awaited')
  ARGV[6] '1' when the chat sleeps on that gap (an arrival wakes it)   ARGV[7] order hash ttl ms
  ARGV[8] when the chat is due instead of sleeping, if an item was queued since the claim (field
  `arrived`: the enqueue of a leased chat cannot wake it, so the settle must not sleep through it)
  ARGV[9..] delivered items
  Returns -2 when the lease was lost, else the earliest due ms of the portal's chats, or -1 when none is left.
]]
if redis.call('HGET', KEYS[3], ARGV[1]) ~= ARGV[3] then return -2 end
redis.call('HDEL', KEYS[3], ARGV[1])
for i = 9, #ARGV do redis.call('ZREM', KEYS[2], ARGV[i]) end
if ARGV[4] ~= '' then
  -- The settled numbers' job ids are no longer needed (nor those of numbers passed over).
  local from = tonumber(redis.call('HGET', KEYS[4], 'next') or '1')
  local to = math.min(tonumber(ARGV[4]) - 1, from + 999)
  for k = from, to do redis.call('HDEL', KEYS[4], 'j:' .. k) end
  redis.call('HSET', KEYS[4], 'next', ARGV[4])
end
if ARGV[5] == '' then
  redis.call('HDEL', KEYS[4], 'gap')
elseif ARGV[5] ~= '-' then
  redis.call('HSET', KEYS[4], 'gap', ARGV[5])
end
local due = tonumber(ARGV[2])
if ARGV[6] == '1' then
  if redis.call('HDEL', KEYS[4], 'arrived') == 1 then
    due = tonumber(ARGV[8])
  else
    redis.call('HSET', KEYS[4], 'wait', '1')
  end
end
if redis.call('EXISTS', KEYS[4]) == 1 then redis.call('PEXPIRE', KEYS[4], tonumber(ARGV[7])) end
if redis.call('ZCARD', KEYS[2]) == 0 then
  redis.call('ZREM', KEYS[1], ARGV[1])
else
  redis.call('ZADD', KEYS[1], due, ARGV[1])
end
local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if #first == 0 then return -1 end
return tonumber(first[2])
