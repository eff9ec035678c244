--[[
  Takes one send slot from a line's sliding 1 s window (exact: never more than LIMIT
  in any window, whatever the number of worker processes).
  KEYS[1] window zset (member = unique id, score = ms)
  ARGV[1] limit per window   ARGV[2] window ms   ARGV[3] unique member id
  Returns 0 when taken, else the ms to wait before trying again.
]]
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) < limit then
  redis.call('ZADD', KEYS[1], now, ARGV[3])
  redis.call('PEXPIRE', KEYS[1], window * 2)
  return 0
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
local wait = tonumber(oldest[2]) + window - now + 1
if wait < 1 then wait = 1 end
return wait
