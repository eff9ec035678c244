--[[
  Puts one bizproc.event.send into a portal's callback outbox, once per event token.
  KEYS[1] pending hash (tokenHash -> json)   KEYS[2] due zset (tokenHash -> ms)
  ARGV[1] tokenHash   ARGV[2] json   ARGV[3] due ms
  Returns 1 when queued, 0 when this token already has a callback queued.
]]
if redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[2]) == 0 then return 0 end
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[1])
return 1
