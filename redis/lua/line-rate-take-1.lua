--[[
  Takes one send slot on a line. A slot counts from when it is taken until WINDOW ms after the
  provider answered (line-rate-done marks that), so however late a request reaches the provider,
  no 1 s window there can hold more than LIMIT sends, across any number of worker processes.
  KEYS[1] slots zset (member = slot id, score = ms it leaves the window; in flight = now + ARGV[4])
  ARGV[1] limit   ARGV[2] window ms   ARGV[3] slot id   ARGV[4] in-flight lease ms (covers a crashed sender)
  Returns 0 when taken, else the ms to wait before trying again.
]]
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) < limit then
  redis.call('ZADD', KEYS[1], now + tonumber(ARGV[4]), ARGV[3])
  redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[4]) + window)
  return 0
end
local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
local wait = tonumber(first[2]) - now + 1
if wait > window then wait = 25 end
if wait < 1 then wait = 1 end
return wait
