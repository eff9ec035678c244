--[[
  Records the customer's WhatsApp id when it differs from the number we sent to (Meta: wa_id
  "may not always match"), so replies from that id still find the wait. The index field is kept
  in the wait (`waf`), so ending it removes exactly that field: no field format is spelled here.
  KEYS[1] wait key   KEYS[2] portal wait-index hash
  ARGV[1] wait id   ARGV[2] wa_id   ARGV[3] index field for (line, wa_id), as keys.ts spells it
  ARGV[4] the wait's own field of the index hash (lib/wait-record.lua)
  ARGV[2] '' (and ARGV[3] ''): the number sent to is the wa_id, so a guessed other form goes.
  Returns 1 when recorded, 0 when the wait is gone or ended.
]]
local raw, in_index = wait_read(KEYS[2], ARGV[4], KEYS[1])
if not raw then return 0 end
local wait = cjson.decode(raw)
if (wait.status or 'open') ~= 'open' then return 0 end
-- The wa_id WhatsApp answered replaces a guessed one (wait-open-3.lua): its field goes too.
if wait.waf and wait.waf ~= ARGV[3] then index_remove(KEYS[2], wait.waf, ARGV[1]) end
if ARGV[2] == '' then
  wait.wa = nil
  wait.waf = nil
  wait_write(KEYS[2], ARGV[4], KEYS[1], in_index, cjson.encode(wait))
  return 1
end
wait.wa = ARGV[2]
wait.waf = ARGV[3]
wait_write(KEYS[2], ARGV[4], KEYS[1], in_index, cjson.encode(wait))
index_add(KEYS[2], ARGV[3], ARGV[1])
return 1
