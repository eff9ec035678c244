--[[
  The settings page's sign-in window of one portal. A client address a user of the portal signed in
  from lately is known to it (KEYS[1] holds the ms the mark lasts until, on the caller's clock like
  the window, so tests move it; the key's TTL only clears it away after): it is neither counted nor
  refused here (its own address window bounds it), so requests that merely name the portal cannot
  keep that user out. Any other client takes one request from the portal's sliding window, as
  window-take-1.lua does (on the caller's injected clock; a refused request is not counted).
  KEYS[1] the known-client mark   KEYS[2] the portal's window (sorted set: request id → ms it came)
  ARGV[1] limit   ARGV[2] window ms   ARGV[3] now ms   ARGV[4] request id
  Returns -1 for a known client (nothing taken), 0 when taken, else the ms until a request would
  be taken (lib/window-wait.lua).
]]
local limit, window, now = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local known_until = tonumber(redis.call('GET', KEYS[1]))
if known_until and known_until > now then return -1 end
local wait = window_wait(KEYS[2], limit, window, now)
if wait > 0 then return wait end
redis.call('ZADD', KEYS[2], now, ARGV[4])
redis.call('PEXPIRE', KEYS[2], window)
return 0
