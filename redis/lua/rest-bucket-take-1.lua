--[[
  Leaky bucket shared by every process calling one portal (mirrors the portal's own limiter).
  KEYS[1] bucket hash {level, at}
  ARGV[1] drain per second   ARGV[2] capacity   ARGV[3] penalty (1 = portal said QUERY_LIMIT_EXCEEDED: fill it)
  Returns 0 when a request may go now, else the ms to wait.
]]
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local drain = tonumber(ARGV[1])
local capacity = tonumber(ARGV[2])
local level = tonumber(redis.call('HGET', KEYS[1], 'level') or '0')
local at = tonumber(redis.call('HGET', KEYS[1], 'at') or tostring(now))
level = math.max(0, level - (now - at) * drain / 1000)
if ARGV[3] == '1' then
  redis.call('HSET', KEYS[1], 'level', tostring(capacity), 'at', tostring(now))
  redis.call('PEXPIRE', KEYS[1], math.ceil(capacity / drain * 1000) + 1000)
  return math.ceil(1000 / drain)
end
if level + 1 <= capacity then
  redis.call('HSET', KEYS[1], 'level', tostring(level + 1), 'at', tostring(now))
  redis.call('PEXPIRE', KEYS[1], math.ceil(capacity / drain * 1000) + 1000)
  return 0
end
redis.call('HSET', KEYS[1], 'level', tostring(level), 'at', tostring(now))
return math.ceil((level + 1 - capacity) * 1000 / drain)
