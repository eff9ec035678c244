--[[
  Ends a dispatcher's move of a portal's entry in the global index (callback-move-start-2.lua began
  it), after its index write and before its re-read of the outbox.
  - The mark still this move's: a move alone from start to end and still registered, whose portal
    is still indexed, confirms the score it wrote (the index holds the portal there or earlier:
    enqueuers only ever move it earlier, and no other move wrote after it), so a busy portal's
    results due as late write no index (callback-enqueue-3.lua). Otherwise the mark is deleted: the
    next result writes the index.
  - An older dispatcher's 'd': always left for that dispatcher's own delete (a new move's start
    sees it and registers it as a move under way).
  - Another move's mark (begun since): left for that move's end — unless this move's registration
    is gone (it outlived the ttl, was resent after a reconnect, or the portal was forgotten): then
    others may have taken it for dead and confirmed before its late write, so the mark goes.
  - Anything else (a confirm or a pending write, possibly older than this move's index write, which
    may have moved the index later or removed it): deleted, no longer trusted.
  KEYS[1] index mark   KEYS[2] moves under way
  ARGV[1] this move's moving mark   ARGV[2] score written, or -1 when removed   ARGV[3] 1 when alone at start
  ARGV[4] confirmed mark ttl ms
  Returns 1 when it confirmed, else 0.
]]
local registered = redis.call('ZREM', KEYS[2], ARGV[1]) == 1
local raw = redis.call('GET', KEYS[1])
if raw == ARGV[1] then
  if registered and ARGV[3] == '1' and tonumber(ARGV[2]) >= 0 then
    redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[4])
    return 1
  end
  redis.call('DEL', KEYS[1])
  return 0
end
if raw == 'd' or (registered and raw and string.sub(raw, 1, 4) == 'p:d:') then return 0 end
if raw then redis.call('DEL', KEYS[1]) end
return 0
