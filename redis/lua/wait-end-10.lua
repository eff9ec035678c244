--[[
  Ends a wait exactly once and queues its callback in the same step: a reply, a duplicate
  webhook, a timeout and a cancellation can race; only the first wins, and the callback
  survives a crash because it is written with the claim.
  KEYS[1] wait key (the ended wait is kept there)   KEYS[2] portal wait-index hash (holds the open wait)   KEYS[3] open-waits zset
  KEYS[4] callback pending hash   KEYS[5] callback due zset
  KEYS[6] the reply's taken-marker (one inbound message ends at most one wait, even when its job runs twice)
  ARGV[1] wait id   ARGV[2] final status   ARGV[3] end reason   ARGV[4] now ms
  ARGV[5] callback id ('' = no callback)   ARGV[6] callback json   ARGV[7] ms to keep the ended wait
  ARGV[8] phone index field   ARGV[9] document index field ('' = none)
  ARGV[10] '1' when a reply ends it (KEYS[6] applies)
  ARGV[11] wa_id index field as the caller's copy knows it ('' = none)
  KEYS[7..9], ARGV[12..16]: the `wait.ended` outbound event, emitted with the claim (lib/hook-emit.lua):
  its seen-marker, the portal's event stream and subscriptions; event id ('' = none), JSON body,
  ms to remember the id, wake-up channel, member id.   ARGV[17] the wait's own field of the index hash.
  An event id with an empty body: the caller built no event (it expects no subscriptions); if the
  portal has any, nothing is done and 3 comes back, so the caller ends it again with the event.
  KEYS[10] the portal's callback index mark   ARGV[18] the caller's mark token   ARGV[19] pending mark ttl ms
  (lib/callback-mark.lua: a queued callback says whether the caller must write the global index).
  Index fields come as ARGV (or from the wait's `waf`/`pf`, recorded by wait-alias-2.lua/wait-move-2.lua): none is spelled here.
  An open wait stores no `status` (stored-wait.ts): none = open.
  Returns {code, must index}: code 1 when claimed, 0 when the wait had already ended, -1 when there
  is no such wait, 2 when this reply already ended a wait (another, or this one in an overlapping run), 3 when the event is needed (above);
  must index (lib/callback-mark.lua), with a callback
  queued: 0 behind a confirmed index mark as early, 1 the caller writes the index and confirms its
  mark, 2 it writes the index and confirms nothing (another's write is under way).
]]
-- A reply that already ended a wait (this one included: an overlapping run of its job found the
-- wait ended by the other run) is taken, whatever the wait's state now: it must never be passed on.
if ARGV[10] == '1' and redis.call('EXISTS', KEYS[6]) == 1 then return {2, 0} end
local raw, in_index = wait_read(KEYS[2], ARGV[17], KEYS[1])
if not raw then return {-1, 0} end
local wait = cjson.decode(raw)
if (wait.status or 'open') ~= 'open' then return {0, 0} end
if ARGV[12] ~= '' and ARGV[13] == '' and redis.call('HLEN', KEYS[9]) > 0 then return {3, 0} end
if ARGV[10] == '1' then redis.call('SET', KEYS[6], ARGV[1], 'PX', tonumber(ARGV[7])) end
wait.status = ARGV[2]
wait.endReason = ARGV[3]
wait.endedAt = ARGV[4]
if in_index then redis.call('HDEL', KEYS[2], ARGV[17]) end
redis.call('SET', KEYS[1], cjson.encode(wait), 'PX', tonumber(ARGV[7]))
index_remove(KEYS[2], ARGV[8], ARGV[1])
index_remove(KEYS[2], ARGV[9], ARGV[1])
-- The wa_id alias field is read from the stored wait: the caller's copy may predate it.
index_remove(KEYS[2], wait.waf, ARGV[1])
-- Waits aliased before `waf` was stored name no field: the caller's copy does.
index_remove(KEYS[2], ARGV[11], ARGV[1])
-- A wait moved to the customer's new number (wait-move-2.lua) names its field: the caller's copy may predate it.
index_remove(KEYS[2], wait.pf, ARGV[1])
redis.call('ZREM', KEYS[3], ARGV[1])
local must_index = 0
if ARGV[5] ~= '' then
  if redis.call('HSETNX', KEYS[4], ARGV[5], ARGV[6]) == 1 then
    redis.call('ZADD', KEYS[5], ARGV[4], ARGV[5])
  end
  must_index = callback_must_index(KEYS[10], ARGV[4], ARGV[18], ARGV[19])
end
hook_emit(KEYS[7], KEYS[8], KEYS[9], ARGV[12], 'wait.ended', ARGV[13], ARGV[4], ARGV[14], ARGV[15], ARGV[16])
return {1, must_index}
