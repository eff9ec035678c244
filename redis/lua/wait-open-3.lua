--[[
  Stores a new wait (a compact JSON string, a field of the wait-index hash while open: see
  lib/wait-record.lua) and indexes it, unless it already exists, open or ended (a retried job
  keeps the first). Index fields hold space-separated wait ids.
  KEYS[1] wait key   KEYS[2] portal wait-index hash   KEYS[3] open-waits zset (score = deadline)
  ARGV[1] wait json   ARGV[2] wait id   ARGV[3] phone index field   ARGV[4] document index field ('' = none)
  ARGV[5] deadline ms   ARGV[6] the customer's other WhatsApp id's index field ('' = none; the wait names it as `waf`)
  ARGV[7] the wait's own field of the index hash
  The index fields come as ARGV, spelled by keys.ts only.
  Returns 1 when created, 0 when it existed.
]]
if redis.call('EXISTS', KEYS[1]) == 1 or redis.call('HSETNX', KEYS[2], ARGV[7], ARGV[1]) == 0 then return 0 end
index_add(KEYS[2], ARGV[3], ARGV[2])
index_add(KEYS[2], ARGV[4], ARGV[2])
index_add(KEYS[2], ARGV[6], ARGV[2])
redis.call('ZADD', KEYS[3], ARGV[5], ARGV[2])
return 1
