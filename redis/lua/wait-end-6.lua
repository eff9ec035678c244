--[[
  Ends a wait exactly once and queues its callback in the same step: a reply, a duplicate
  webhook, a timeout and a cancellation can race; only the first wins, and the callback
  survives a crash because it is written with the claim.
  KEYS[1] wait key   KEYS[2] portal wait-index hash   KEYS[3] open-waits zset
  KEYS[4] callback pending hash   KEYS[5] callback due zset
  KEYS[6] the reply's taken-marker (one inbound message ends at most one wait, even when its job runs twice)
  ARGV[1] wait id   ARGV[2] final status   ARGV[3] end reason   ARGV[4] now ms
  ARGV[5] callback id ('' = no callback)   ARGV[6] callback json   ARGV[7] ms to keep the ended wait
  ARGV[8] phone index field   ARGV[9] document index field ('' = none)
  ARGV[10] '1' when a reply ends it (KEYS[6] applies)
  ARGV[11] wa_id index field as the caller's copy knows it ('' = none)
  Index fields come as ARGV (or from the wait's `waf`/`pf`, recorded by wait-alias-2.lua/wait-move-2.lua): none is spelled here.
  Returns 1 when claimed, 0 when the wait had already ended, -1 when there is no such wait,
  2 when this reply already ended another wait.
]]
local raw = redis.call('GET', KEYS[1])
if not raw then return -1 end
local wait = cjson.decode(raw)
if wait.status ~= 'open' then return 0 end
if ARGV[10] == '1' then
  local taken = redis.call('GET', KEYS[6])
  if taken and taken ~= ARGV[1] then return 2 end
  redis.call('SET', KEYS[6], ARGV[1], 'PX', tonumber(ARGV[7]))
end
wait.status = ARGV[2]
wait.endReason = ARGV[3]
wait.endedAt = ARGV[4]
redis.call('SET', KEYS[1], cjson.encode(wait), 'PX', tonumber(ARGV[7]))
local function remove(field)
  if field == '' then return end
  local current = redis.call('HGET', KEYS[2], field)
  if not current then return end
  local kept = {}
  for id in string.gmatch(current, '%S+') do
    if id ~= ARGV[1] then table.insert(kept, id) end
  end
  if #kept == 0 then redis.call('HDEL', KEYS[2], field) else redis.call('HSET', KEYS[2], field, table.concat(kept, ' ')) end
end
remove(ARGV[8])
remove(ARGV[9])
-- The wa_id alias field is read from the stored wait: the caller's copy may predate it.
if wait.waf then remove(wait.waf) end
-- Waits aliased before `waf` was stored name no field: the caller's copy does.
remove(ARGV[11])
-- A wait moved to the customer's new number (wait-move-2.lua) names its field: the caller's copy may predate it.
if wait.pf then remove(wait.pf) end
redis.call('ZREM', KEYS[3], ARGV[1])
if ARGV[5] ~= '' then
  if redis.call('HSETNX', KEYS[4], ARGV[5], ARGV[6]) == 1 then
    redis.call('ZADD', KEYS[5], ARGV[4], ARGV[5])
  end
end
return 1
