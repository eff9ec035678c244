--[[
  Takes one request from a webhook-API token's windows (sliding logs, Redis' own clock so every
  web process counts alike). KEYS[1] is the overall window, KEYS[2] the method's own (ARGV[3] = 0:
  the method has none). A request refused by either window is counted in neither.
  KEYS[1] overall zset   KEYS[2] method zset (member = request id, score = ms it arrived)
  ARGV[1] overall limit   ARGV[2] overall window ms   ARGV[3] method limit (0 = none)
  ARGV[4] method window ms   ARGV[5] request id
  Returns 0 when taken, else the ms until a request would be taken. The wait: lib/window-wait.lua,
  shared with window-take-1.lua (its entries come from Redis' own clock, so never past one window).
]]
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)

local overall_limit, overall_window = tonumber(ARGV[1]), tonumber(ARGV[2])
local method_limit, method_window = tonumber(ARGV[3]), tonumber(ARGV[4])
local wait = window_wait(KEYS[1], overall_limit, overall_window, now)
if method_limit > 0 then
  local method_wait = window_wait(KEYS[2], method_limit, method_window, now)
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
