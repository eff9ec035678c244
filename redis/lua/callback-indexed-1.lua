--[[
  Confirms the index mark after the caller's write of the global index succeeded, only if the mark
  is still the one its callback-enqueue-3.lua call set: a dispatcher that moved the index meanwhile
  replaced it with its moving mark (then deleted or confirmed it: callback-moved-2.lua), and a stale
  confirm must not claim an index entry that may be gone.
  KEYS[1] index mark   ARGV[1] caller's token   ARGV[2] the due ms written   ARGV[3] mark ttl ms
  Returns 1 when confirmed.
]]
if redis.call('GET', KEYS[1]) ~= 'p:' .. ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
return 1
