--[[
  The webhook door's seen marker of an event it has just queued: whether this delivery is the
  event's first at the door. The event's worker writes its own marker too (a different value), and
  may run before the door gets here: its marker does not make the door's delivery a duplicate.
  KEYS[1] the event's seen marker   ARGV[1] seconds to keep it   ARGV[2] the door's value   ARGV[3] the worker's value
  Returns 1 when this delivery is the first at the door (the marker is now the door's), else 0.
]]
local held = redis.call('GET', KEYS[1])
if held and held ~= ARGV[3] then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'EX', tonumber(ARGV[1]))
return 1
