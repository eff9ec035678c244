--[[
  Begins a dispatcher's move of a portal's entry in the global index of due portals (the reindex after
  a batch settled): registers the move and sets its moving mark, so no confirm lands until it ends
  (callback-moved-2.lua), and says whether it is alone. A move is alone when no other is under way:
  none registered (moves older than the ttl, by Redis' own clock, are taken for dead and dropped) and
  no moving mark found (a 'p:d:' mark without its registration is left only by a forgotten
  portal's clean-up or a lost registration: counted as a move under way all the same). An older
  dispatcher's moving mark 'd' (it does not register) is registered here as a move under way for
  the ttl: that dispatcher may still be writing after the mark is gone.
  Only a move alone from start to end may confirm the score it wrote: another move under way at its
  start may write the index after it, and one begun after it replaces its moving mark.
  KEYS[1] index mark   KEYS[2] moves under way (zset: moving mark -> start ms)
  ARGV[1] this move's moving mark ('p:d:<token>')   ARGV[2] ttl ms (mark and moves)
  Returns 1 when alone, else 0.
]]
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - tonumber(ARGV[2]))
local raw = redis.call('GET', KEYS[1])
local moving = raw == 'd' or (raw and string.sub(raw, 1, 4) == 'p:d:')
if raw == 'd' then redis.call('ZADD', KEYS[2], now, 'd') end
local alone = redis.call('ZCARD', KEYS[2]) == 0 and not moving
redis.call('ZADD', KEYS[2], now, ARGV[1])
redis.call('PEXPIRE', KEYS[2], ARGV[2])
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
if alone then return 1 end
return 0
