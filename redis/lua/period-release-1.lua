--[[
  Gives back a slot period-claim-1 claimed, when what it was claimed for did not happen (a note
  whose write failed): the next caller may claim it at once instead of a period later. Only while
  the field still holds this claim's time: a claim from a clock a period away (period-claim-1
  frees the slot for it) wrote its own time, and is kept. Two claims can hold the same time only
  with skewed clocks: A claims T, B (a clock a period ahead) claims T+P, C (a clock at T to the
  ms) claims T again; A's give-back then deletes C's claim, and the next caller notes again
  within C's period. The worst case is one extra note: not worth a token per claim.
  KEYS[1] hash   ARGV[1] field   ARGV[2] the time (ms) the claim wrote
  Fields come as ARGV, spelled by keys.ts only.
  Returns 1 when given back, 0 when the field holds another claim or is gone.
]]
if redis.call('HGET', KEYS[1], ARGV[1]) ~= ARGV[2] then return 0 end
redis.call('HDEL', KEYS[1], ARGV[1])
return 1
