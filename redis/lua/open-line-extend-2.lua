--[[
  Renews a chat's lease while its holder is still sending (a REST token wait or a slow portal call
  can outlast the lease); refused when the token is no longer the chat's.
  KEYS[1] the portal's due chats (zset)   KEYS[2] lease holders (hash)
  ARGV[1] chat key   ARGV[2] the holder's token   ARGV[3] lease until ms
  Returns 1 when renewed, 0 when the lease was lost.
]]
if redis.call('HGET', KEYS[2], ARGV[1]) ~= ARGV[2] then return 0 end
if not redis.call('ZSCORE', KEYS[1], ARGV[1]) then return 0 end
redis.call('ZADD', KEYS[1], tonumber(ARGV[3]), ARGV[1])
return 1
