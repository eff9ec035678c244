--[[
  Takes one request from a webhook-API token's windows (sliding logs, Redis' own clock so every
  web process counts alike). KEYS[1] is the overall window, KEYS[2] the method's own (ARGV[3] = 0:
  the method has none). A request refused by either window is counted in neither.
  KEYS[1] overall zset   KEYS[2] method zset (member = request id, score = ms it arrived)
  ARGV[1] overall limit   ARGV[2] overall window ms   ARGV[3] method limit (0 = none)
  ARGV[4] method window ms   ARGV[5] request id
  Returns 0 when taken, else the ms until a request would be taken.
]]
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)

local function wait_for(key, limit, window)
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
  if redis.call('ZCARD', key) < limit then return 0 end
  local oldest = redis.call('ZRANGE', key, -limit, -limit, 'WITHSCORES')
  local wait = tonumber(oldest[2]) + window - now
  if wait < 1 then wait = 1 end
  return wait
end

local overall_limit, overall_window = tonumber(ARGV[1]), tonumber(ARGV[2])
local method_limit, method_window = tonumber(ARGV[3]), tonumber(ARGV[4])
local wait = wait_for(KEYS[1], overall_limit, overall_window)
if method_limit > 0 then
  local method_wait = wait_for(KEYS[2], method_limit, method_window)
  if method_wait > wait then wait = method_wait end
end
if wait > 0 then return wait end
redis.call('ZADD', KEYS[1], now, ARGV[5])
redis.call('PEXPIRE', KEYS[1], overall_window)
if method_limit > 0 then
  redis.call('ZADD', KEYS[2], now, ARGV[5])
  redis.call('PEXPIRE', KEYS[2], method_window)
end
return 0
