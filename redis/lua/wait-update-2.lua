--[[
  Changes fields of a stored wait atomically (it may be ending at the same moment).
  KEYS[1] wait key   KEYS[2] portal wait-index hash (lib/wait-record.lua)
  (the patch's field names are the stored form's, built in stored-wait.ts)
  ARGV[1] json object of fields to set (values may be objects; never empty arrays: cjson makes them objects)   ARGV[2] field to increment by 1 ('' = none)   ARGV[3] required status ('' = any)
  ARGV[4] the wait's own field of the index hash
  Returns 1 when updated, 0 when the status did not match, -1 when there is no such wait, -2 when
  the patch would end an open wait in place (only wait-end-10 ends one: it also moves it to its own
  key and drops its index fields; an ended status left in the index hash would stay there for good).
]]
local raw, in_index = wait_read(KEYS[2], ARGV[4], KEYS[1])
if not raw then return -1 end
local wait = cjson.decode(raw)
local patch = cjson.decode(ARGV[1])
if in_index and patch.status ~= nil and patch.status ~= 'open' then return -2 end
if ARGV[3] ~= '' and (wait.status or 'open') ~= ARGV[3] then return 0 end
for k, v in pairs(patch) do wait[k] = v end
if ARGV[2] ~= '' then wait[ARGV[2]] = tostring((tonumber(wait[ARGV[2]]) or 0) + 1) end
wait_write(KEYS[2], ARGV[4], KEYS[1], in_index, cjson.encode(wait))
return 1
