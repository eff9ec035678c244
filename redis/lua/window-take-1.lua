--[[
  Takes one request from a sliding window (a log of the requests it took), on the caller's injected
  clock, so tests move it; a refused request is not counted. A clock far behind the entries (skew,
  a test's clock set back) never asks for more than one window's wait, and the key lapses a window
  after its last entry.
  KEYS[1] the window's sorted set (member = request id, score = ms it came)
  ARGV[1] limit   ARGV[2] window ms   ARGV[3] now ms   ARGV[4] request id
  Returns 0 when taken, else the ms until a request would be taken (lib/window-wait.lua).
]]
local limit, window, now = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local wait = window_wait(KEYS[1], limit, window, now)
if wait > 0 then return wait end
redis.call('ZADD', KEYS[1], now, ARGV[4])
redis.call('PEXPIRE', KEYS[1], window)
return 0
