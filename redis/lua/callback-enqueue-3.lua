--[[
  Puts one bizproc.event.send into a portal's callback outbox, once per event token, and says
  whether the caller must write the global index of due portals (another slot: not atomic with this).
  KEYS[1] pending hash (tokenHash -> json)   KEYS[2] due zset (tokenHash -> ms)
  KEYS[3] index mark: a number m = the global index is known to hold the portal at m or earlier
          (set by callback-indexed-1.lua only after the caller's index write succeeded, or by a
          dispatcher that moved the index alone to the score it wrote; deleted by a dispatcher's
          move that was not alone or removed the portal, and by a move's end that finds a mark it
          cannot vouch for: callback-moved-2.lua. A confirming dispatcher looks at the portal again
          itself, workers/callback-dispatcher.ts); 'p:<token>' = a write is under way;
          'p:d:<token>' (or an older dispatcher's 'd') = a dispatcher is moving the index (set before
          its write, replaced after): kept as it is, so no confirm can land until that write is done,
          even if the dispatcher dies in between
  ARGV[1] tokenHash   ARGV[2] json   ARGV[3] due ms   ARGV[4] caller's token   ARGV[5] pending mark ttl ms
  Returns {queued, must index}: queued 1 when queued, 0 when this token already has a callback queued.
  must index 0 only when a confirmed mark at or before ARGV[3] exists: the dispatchers visit the portal
  by then and read this zset after it. Anything else (no mark, a write still under way, one that
  crashed or failed, a dispatcher's move under way or cut short) makes this caller write the index
  too: a lost write is repaired by the next callback; only when none comes (the last result of a
  quiet portal whose own write failed) is it the maintenance sweep's.
  must index 1: the caller set its own pending mark and confirms it after its write (callback-indexed-1.lua);
  2: another's write (or a dispatcher's move) is under way: the caller writes the index but leaves
  that mark alone, so the write under way can still confirm — replacing it (as every result of a busy
  portal did) meant a confirm rarely landed and every result wrote the index and confirmed in vain.
  A pending mark whose writer died lapses after its ttl; until then every caller writes the index.
]]
local queued = redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[2])
if queued == 1 then redis.call('ZADD', KEYS[2], ARGV[3], ARGV[1]) end
-- One copy of the mark's steps (lib/callback-mark.lua), shared with the wait end (wait-end-10.lua).
return {queued, callback_must_index(KEYS[3], ARGV[3], ARGV[4], ARGV[5])}
