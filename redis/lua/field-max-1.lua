--[[
  Writes a hash field's number only when it is newer (greater) than the one stored: writers that
  race (processes, a retried job's old time) leave the newest value, whatever their order.
  KEYS[1] the hash   ARGV[1] the field   ARGV[2] the value (a number)
  Returns 1 when written, 0 when the stored value is as new or newer; an error when ARGV[2] is not
  a number. A stored value that is not a number (written by hand, a broken write) is replaced.
]]
local value = tonumber(ARGV[2])
if not value then return redis.error_reply('field-max-1: the value must be a number, got ' .. tostring(ARGV[2])) end
local stored = tonumber(redis.call('HGET', KEYS[1], ARGV[1]))
if stored and stored >= value then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
return 1
