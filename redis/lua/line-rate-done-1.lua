--[[
  Marks a send slot answered: it now leaves the window WINDOW ms after this moment.
  KEYS[1] slots zset   ARGV[1] slot id   ARGV[2] window ms
  Returns 1 when the slot was still there.
]]
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
return redis.call('ZADD', KEYS[1], 'XX', 'CH', now + tonumber(ARGV[2]), ARGV[1])
