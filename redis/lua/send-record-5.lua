--[[
  What a send leaves once the provider answered, in one step: the step's message id (a retried job
  never sends it again), the message record (statuses, the wait it belongs to) and the wait's link
  to it. When the step's message belongs to a wait, the wait holds the step (`m`): the in-flight
  mark goes and no sent-step field is kept (send-step-claim-3.lua and the readers look at the wait).
  KEYS[1] sent-step hash   KEYS[2] message hash   KEYS[3] wait key (any key of the portal when none)
  KEYS[4] portal wait-index hash   KEYS[5] the portal's list of recent sends (the settings page's)
  ARGV[1] step field   ARGV[2] provider message id   ARGV[3] sent-step ttl s   ARGV[4] sent at ms
  ARGV[5] the customer's wa_id when it differs from the number sent to ('' = none)
  ARGV[6] message record ttl s   ARGV[7] wait id ('' = none)
  ARGV[8] json of the wait's fields to set (stored-wait.ts spells them)
  ARGV[9] index field of (line, wa_id) ('' = none, spelled by keys.ts)
  ARGV[10] the saved late-fallback template's reference ('' = none): kept as `fb` unless the
    window refusal (131047) is already on the record — then the sender takes the fallback itself
    (the status handler found no `fb` and left it) and the wait is not linked to the refused message.
  ARGV[11] the wait's own field of the index hash (the open wait is there: lib/wait-record.lua)
  ARGV[12] '1' when the provider answered that the number sent to IS the customer's wa_id: a guessed
    other form (wait-open-3.lua) is then wrong and its index field goes.
  ARGV[13] the send's entry for the recent-sends list ('' = not noted; activity-log.ts spells it)
  ARGV[14] entries that list keeps   ARGV[15] its ttl s
  Message record fields (message-store.ts): s status, t sent at, d/r/f delivered/read/failed at,
  e error code, w wait id, wa wa_id, fb late-fallback reference.
  Returns {the message's status ('sent' unless a status webhook got there first), why the recent-sends
  push failed ('' when it did not)}: the push is only a page's list, so a Redis error there (a key of
  another type) is caught and reported, never failing a record whose writes above are already done.
]]
local refusedFirst = ARGV[10] ~= '' and redis.call('HGET', KEYS[2], 's') == 'failed'
  and redis.call('HGET', KEYS[2], 'e') == '131047'
local linked = false
if ARGV[7] ~= '' and not refusedFirst then
  local raw, in_index = wait_read(KEYS[4], ARGV[11], KEYS[3])
  if raw then
    local wait = cjson.decode(raw)
    for k, v in pairs(cjson.decode(ARGV[8])) do wait[k] = v end
    local phone = wait.p or wait.phone
    if ARGV[9] ~= '' and (wait.status or 'open') == 'open' and ARGV[5] ~= phone then
      -- The wa_id WhatsApp answered replaces a guessed one (wait-open-3.lua): its field goes too.
      if wait.waf and wait.waf ~= ARGV[9] then index_remove(KEYS[4], wait.waf, ARGV[7]) end
      wait.wa = ARGV[5]
      wait.waf = ARGV[9]
      index_add(KEYS[4], ARGV[9], ARGV[7])
    elseif ARGV[12] == '1' and (wait.status or 'open') == 'open' and wait.waf then
      index_remove(KEYS[4], wait.waf, ARGV[7])
      wait.wa = nil
      wait.waf = nil
    end
    wait_write(KEYS[4], ARGV[11], KEYS[3], in_index, cjson.encode(wait))
    linked = true
  end
end
if linked then
  redis.call('HDEL', KEYS[1], ARGV[1])
else
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
  redis.call('EXPIRE', KEYS[1], tonumber(ARGV[3]))
end
redis.call('HSET', KEYS[2], 't', ARGV[4])
redis.call('HSETNX', KEYS[2], 's', 'sent')
if ARGV[5] ~= '' then redis.call('HSET', KEYS[2], 'wa', ARGV[5]) end
if linked then redis.call('HSET', KEYS[2], 'w', ARGV[7]) end
if ARGV[10] ~= '' and not refusedFirst then redis.call('HSET', KEYS[2], 'fb', ARGV[10]) end
redis.call('EXPIRE', KEYS[2], tonumber(ARGV[6]))
local rank = { sent = 0, delivered = 1, read = 2, failed = 3 }
local status = redis.call('HGET', KEYS[2], 's')
-- A record an older release started keeps its status under the long name.
local old = redis.call('HGET', KEYS[2], 'status')
if old and (rank[old] or 0) > (rank[status] or 0) then status = old end
local recentError = ''
if ARGV[13] ~= '' then
  local pushed = redis.pcall('LPUSH', KEYS[5], ARGV[13])
  if type(pushed) == 'table' and pushed.err then
    recentError = pushed.err
  else
    redis.call('LTRIM', KEYS[5], 0, tonumber(ARGV[14]) - 1)
    redis.call('EXPIRE', KEYS[5], tonumber(ARGV[15]))
  end
end
return {status, recentError}
