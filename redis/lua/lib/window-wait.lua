--[[
  A sliding window's wait (a sorted set logging the requests it took, scored by the ms they came):
  drops the entries older than the window, then 0 when fewer than `limit` remain, else the ms
  until the oldest counted one leaves it: at least 1, at most one window (a clock far behind the
  entries, e.g. skew or a test's clock set back, never asks for more).
]]
local function window_wait(key, limit, window, now)
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
  if redis.call('ZCARD', key) < limit then return 0 end
  local oldest = redis.call('ZRANGE', key, -limit, -limit, 'WITHSCORES')
  local wait = tonumber(oldest[2]) + window - now
  if wait < 1 then wait = 1 end
  if wait > window then wait = window end
  return wait
end
