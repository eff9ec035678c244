--[[
  Takes one request from a sliding window (a log of the requests it took), on the caller's injected
  clock, so tests move it; a refused request is not counted. A clock far behind the entries (skew,
  a test's clock set back) never asks for more than one window's wait, and the key lapses a window
  after its last entry.
  KEYS[1] the window's sorted set (member = request id, score = ms it came)
  ARGV[1] limit   ARGV[2] window ms   ARGV[3] now ms   ARGV[4] request id
  Returns 0 when taken, else the ms until a request would be taken (at least 1).
]]
local limit, window, now = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) >= limit then
  local oldest = redis.call('ZRANGE', KEYS[1], -limit, -limit, 'WITHSCORES')
  local wait = tonumber(oldest[2]) + window - now
  if wait < 1 then wait = 1 end
  if wait > window then wait = window end
  return wait
end
redis.call('ZADD', KEYS[1], now, ARGV[4])
redis.call('PEXPIRE', KEYS[1], window)
return 0
