--[[
  Puts a portal into the global index of portals with due callbacks and, when that changed the
  index, wakes the dispatchers (pub/sub): one round trip. LT adds a new member too and only ever
  moves one earlier; unchanged means the portal was already due as early (the dispatchers know).
  KEYS[1] the index   ARGV[1] due ms   ARGV[2] member id   ARGV[3] wake-up channel
  Returns 1 when the index changed.
]]
local changed = redis.call('ZADD', KEYS[1], 'LT', 'CH', ARGV[1], ARGV[2])
if changed > 0 then redis.call('PUBLISH', ARGV[3], ARGV[2]) end
return changed
