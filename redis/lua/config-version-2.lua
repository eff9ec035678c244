--[[
  Gives a portal a config version when it has none yet (stored before versions existed, or its keys
  were forgotten), but only while its record exists: a forgotten portal keeps no stray key, and a
  copy is never taken under a version its removal could not have changed.
  KEYS[1] config version key   KEYS[2] portal record key
  ARGV[1] the version to set when none is there
  Returns the current version, or false when the portal has no record.
]]
local current = redis.call('GET', KEYS[1])
if current then return current end
if redis.call('EXISTS', KEYS[2]) == 0 then return false end
redis.call('SET', KEYS[1], ARGV[1])
return ARGV[1]
