--[[
  Gives a customer message its number in its chat at receipt (the webhook door), once per message
  id: a repeated webhook gets the number it got the first time, so no number is left unused.
  KEYS[1] the message's number key   KEYS[2] the chat's order hash
  ARGV[1] number key ttl s   ARGV[2] order hash ttl ms   ARGV[3] the id of the job that carries it,
  `<job id>|<event key>` for an inbound one ('' = none): kept as field `j:<number>` until the
  number is settled (is its message still coming?)
  Returns the message's number (1, 2, ...).
]]
local known = redis.call('GET', KEYS[1])
if known then return tonumber(known) end
local n = redis.call('HINCRBY', KEYS[2], 'n', 1)
redis.call('SET', KEYS[1], n, 'EX', tonumber(ARGV[1]))
if ARGV[3] ~= '' then redis.call('HSET', KEYS[2], 'j:' .. n, ARGV[3]) end
redis.call('PEXPIRE', KEYS[2], tonumber(ARGV[2]))
return n
