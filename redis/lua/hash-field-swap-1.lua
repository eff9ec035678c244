--[[
  Replaces a hash field's value only when it is still the one the caller read: an optimistic
  update of a record another step may rewrite or delete meanwhile (an open-line attachment an
  attach moved to another open line must never be overwritten with its old open line's state).
  KEYS[1] the hash   ARGV[1] the field   ARGV[2] the value as read   ARGV[3] the new value
  Returns 1 when replaced, 0 when it changed meanwhile or is gone.
]]
if redis.call('HGET', KEYS[1], ARGV[1]) ~= ARGV[2] then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
return 1
