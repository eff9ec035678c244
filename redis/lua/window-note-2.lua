--[[
  Notes a customer's message on a line: the 24-hour window runs from the newest one (a message
  delivered late, older than the one kept, changes nothing but the key's life). The line's
  tracking start is set once, so "no record" later means "not in the tracked time".
  KEYS[1] the customer's window key   KEYS[2] the portal's tracking hash
  ARGV[1] the message's time (Unix s)   ARGV[2] line id (field of KEYS[2])   ARGV[3] now (ms)
  ARGV[4] the window key's time-to-live (s)
  Returns the kept time (Unix s).
]]
local kept = tonumber(redis.call('GET', KEYS[1]) or '0')
local at = tonumber(ARGV[1])
redis.call('HSETNX', KEYS[2], ARGV[2], ARGV[3])
if at > kept then
  redis.call('SET', KEYS[1], ARGV[1], 'EX', tonumber(ARGV[4]))
  return at
end
redis.call('EXPIRE', KEYS[1], tonumber(ARGV[4]))
return kept
