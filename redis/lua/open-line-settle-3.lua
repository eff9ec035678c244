--[[
  Settles a leased chat: delivered items leave its queue; the chat is due again at ARGV[2], or
  leaves the due set when its queue is empty. Only the lease's holder settles: a token that is no
  longer the chat's (the lease ran out and another dispatcher took the chat) changes nothing.
  KEYS[1] the portal's due chats (zset)   KEYS[2] the chat's queue (zset)   KEYS[3] lease holders (hash)
  ARGV[1] chat key   ARGV[2] next due ms   ARGV[3] the holder's token   ARGV[4..] delivered items
  Returns -2 when the lease was lost, else the earliest due ms of the portal's chats, or -1 when none is left.
]]
if redis.call('HGET', KEYS[3], ARGV[1]) ~= ARGV[3] then return -2 end
redis.call('HDEL', KEYS[3], ARGV[1])
for i = 4, #ARGV do redis.call('ZREM', KEYS[2], ARGV[i]) end
if redis.call('ZCARD', KEYS[2]) == 0 then
  redis.call('ZREM', KEYS[1], ARGV[1])
else
  redis.call('ZADD', KEYS[1], tonumber(ARGV[2]), ARGV[1])
end
local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if #first == 0 then return -1 end
return tonumber(first[2])
