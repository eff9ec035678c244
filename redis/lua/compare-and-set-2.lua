--[[
  Replaces a string value only when it is still the one the caller read: an optimistic update of a
  record other processes rewrite (a portal record whose tokens a refresh or an install may have
  replaced meanwhile must never be overwritten with the old ones). The record's config version is
  set in the same step, so no process keeps serving its in-process copy of the old record.
  KEYS[1] key   KEYS[2] config version key
  ARGV[1] the value as read   ARGV[2] the new value   ARGV[3] the new config version
  Returns 1 when replaced, 0 when it changed meanwhile or is gone.
]]
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'KEEPTTL')
redis.call('SET', KEYS[2], ARGV[3])
return 1
