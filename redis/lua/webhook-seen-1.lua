--[[
  The webhook door's seen marker of an event it has just queued: whether this delivery counts as the
  event's first at the door. The event's worker keeps its run's claim in the same key
  (inbound-seen-claim-1.lua) and may get there before the door: a claim is never written over (a
  second delivery's job would find the door's value and run the event too). A delivery counts as
  the first when it marks the event, or when the claim found is its own job's; not when another
  door marked it or another job claimed the run (that job's delivery is the one that runs). An
  older release's worker mark ('w') names no job: the delivery counts as the first.
  KEYS[1] the event's seen marker   ARGV[1] seconds to keep it   ARGV[2] the door's value
  ARGV[3] the id of the job this delivery was queued in
  Returns 1 when this delivery counts as the first, else 0.
]]
local held = redis.call('GET', KEYS[1])
if not held then
  redis.call('SET', KEYS[1], ARGV[2], 'EX', tonumber(ARGV[1]))
  return 1
end
if held == ARGV[2] then return 0 end
local state = string.sub(held, 1, 2)
if state == 'r:' or state == 'd:' then
  if string.sub(held, 3) == ARGV[3] then return 1 end
  return 0
end
return 1
