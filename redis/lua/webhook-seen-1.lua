--[[
  The webhook door's seen marker of an event it has just queued: whether this delivery is the
  event's first at the door. The event's worker keeps its run's claim in the same key
  (inbound-seen-claim-1.lua) and may get there before the door: a worker's value is kept (never the
  door's over it: a claim overwritten would let a second delivery's job run the event too) and does
  not make the door's delivery a duplicate.
  KEYS[1] the event's seen marker   ARGV[1] seconds to keep it   ARGV[2] the door's value
  Returns 1 when this delivery is the first at the door, else 0 (another door marked it first).
]]
local held = redis.call('GET', KEYS[1])
if held == ARGV[2] then return 0 end
if held then return 1 end
redis.call('SET', KEYS[1], ARGV[2], 'EX', tonumber(ARGV[1]))
return 1
