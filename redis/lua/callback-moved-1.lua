--[[
  Ends a dispatcher's move of a portal's entry in the global index of due portals (the reindex after
  a batch settled), if the index mark is still the moving mark this dispatcher set before its write.
  Removed (ARGV[2] < 0): the mark is deleted, so the next callback writes the index. Moved to a
  score: the mark becomes a confirmed mark at that score (callback-enqueue-3.lua): the index holds
  the portal there or earlier (enqueuers only ever move it earlier, and any other dispatcher's move
  replaces this moving mark first, so this compare fails), and callbacks due at or after it need
  not write the index again — on a busy portal, one whose outbox still has due rows, most do not.
  KEYS[1] index mark   ARGV[1] the moving mark set   ARGV[2] score written, or -1 when removed
  ARGV[3] confirmed mark ttl ms
  Returns 1 when the mark was this dispatcher's (and is now replaced), 0 when another's.
]]
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
if tonumber(ARGV[2]) < 0 then
  redis.call('DEL', KEYS[1])
else
  redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
end
return 1
