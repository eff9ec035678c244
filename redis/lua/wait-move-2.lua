--[[
  Moves an open wait to the customer's new number (WhatsApp `user_changed_number`): the wait's
  phone and its wait-index entry change in one step, so a reply from the new number finds it and
  one from the old number no longer does. The new field is kept in the wait (`pf`) so ending it
  removes exactly that field, whatever copy of the wait the ender holds.
  KEYS[1] wait key   KEYS[2] portal wait-index hash
  ARGV[1] wait id   ARGV[2] new phone   ARGV[3] index field of (line, new phone)
  ARGV[4] index field of (line, old number) the wait was found under
  ARGV[5] index field of (line, the wait's phone) as the caller's copy knows it
  ARGV[6] the wait's own field of the index hash (lib/wait-record.lua)
  Index fields come as ARGV (or from the wait's `waf`/`pf`): none is spelled here.
  Returns 1 when moved, 0 when the wait is gone or ended.
]]
local raw, in_index = wait_read(KEYS[2], ARGV[6], KEYS[1])
if not raw then return 0 end
local wait = cjson.decode(raw)
if (wait.status or 'open') ~= 'open' then return 0 end
index_remove(KEYS[2], ARGV[4], ARGV[1])
index_remove(KEYS[2], ARGV[5], ARGV[1])
index_remove(KEYS[2], wait.waf, ARGV[1])
index_remove(KEYS[2], wait.pf, ARGV[1])
-- The old wa_id alias named the old number: the new number is the customer's id now.
wait.wa = nil
wait.waf = nil
-- The short form (stored-wait.ts) names the phone `p`; waits of older releases `phone`.
if wait.t or wait.z then wait.p = ARGV[2] else wait.phone = ARGV[2] end
wait.pf = ARGV[3]
wait_write(KEYS[2], ARGV[6], KEYS[1], in_index, cjson.encode(wait))
index_add(KEYS[2], ARGV[3], ARGV[1])
return 1
