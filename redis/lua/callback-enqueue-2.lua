--[[
  Puts one bizproc.event.send into a portal's callback outbox, once per event token.
  KEYS[1] pending hash (tokenHash -> json)   KEYS[2] due zset (tokenHash -> ms)
  ARGV[1] tokenHash   ARGV[2] json   ARGV[3] due ms
  Returns {queued, due before}: queued 1 when queued, 0 when this token already has a callback
  queued; due before 1 when the outbox already held a callback due at or before ARGV[3] (not one
  claimed by a dispatcher: a claim moves its score to the lease's end). Whoever queued that one
  put the portal into the global index as early (or a dispatcher re-indexed it from this zset
  after settling), so the caller need not touch the index again: one command less per callback.
]]
if redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[2]) == 0 then return {0, 0} end
local earlier = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', ARGV[3], 'LIMIT', 0, 1)
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[1])
return {1, #earlier}
