--[[
  Puts one entry at the head of a capped list (a portal's recent sends or errors) and keeps the
  list for TTL: one command where a MULTI of three cost a pipeline and five commands per send.
  KEYS[1] the list   ARGV[1] entry   ARGV[2] entries kept   ARGV[3] ttl s
]]
redis.call('LPUSH', KEYS[1], ARGV[1])
redis.call('LTRIM', KEYS[1], 0, tonumber(ARGV[2]) - 1)
redis.call('EXPIRE', KEYS[1], tonumber(ARGV[3]))
return 1
