--[[
  Counts a re-ask for an off-script message, at most MAX per wait and once per message
  (a retried inbound job may send the same re-ask again, but never counts it twice).
  KEYS[1] wait key   KEYS[2] portal wait-index hash (lib/wait-record.lua)
  ARGV[1] max re-asks   ARGV[2] inbound message id   ARGV[3] the wait's own field of the index hash
  Reads and writes the stored wait's `status`, `reasks` (a number as a string, like every stored number) and `reaskFor`.
  Returns 1 = re-ask now, 2 = this message was already counted (re-send allowed), 0 = no re-asks left or wait ended.
]]
local raw, in_index = wait_read(KEYS[2], ARGV[3], KEYS[1])
if not raw then return 0 end
local wait = cjson.decode(raw)
if (wait.status or 'open') ~= 'open' then return 0 end
if wait.reaskFor == ARGV[2] then return 2 end
local count = tonumber(wait.reasks) or 0
if count >= tonumber(ARGV[1]) then return 0 end
wait.reasks = tostring(count + 1)
wait.reaskFor = ARGV[2]
wait_write(KEYS[2], ARGV[3], KEYS[1], in_index, cjson.encode(wait))
return 1
