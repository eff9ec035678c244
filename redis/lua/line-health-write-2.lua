--[[
  Writes a line's health record only while the line still stands for the number the record was read
  from (its provider and phone number id: Cloud API number, Green-API instance, GupShup app): a read
  of the old number that ends after a re-add to another one, or after the line's removal, writes
  nothing back (lines/line-health.ts).
  KEYS[1] the portal's lines hash   KEYS[2] the portal's line-health hash
  ARGV[1] line id   ARGV[2] provider   ARGV[3] phone number id   ARGV[4] the record (JSON)
  Returns 1 when written, 0 when the line is gone or stands for another number now, -1 when the
  stored line is unreadable (no JSON object): nothing written.
]]
local raw = redis.call('HGET', KEYS[1], ARGV[1])
if not raw then return 0 end
-- A malformed line (it fails LineStore.open too) is no error of every health write of it: none is written.
local ok, line = pcall(cjson.decode, raw)
if not ok or type(line) ~= 'table' then return -1 end
if line.provider ~= ARGV[2] or line.phoneNumberId ~= ARGV[3] then return 0 end
redis.call('HSET', KEYS[2], ARGV[1], ARGV[4])
return 1
