--[[
  Claims a number's global route (phone_number_id → "<member_id>|<line id>": the one owner of the
  number) for a line, only from the holder the caller checked: none, a stale holder (a line gone or
  renumbered), or the line itself (an update, an add run again). Two adds that raced both found it
  free; the first claim wins and the other sees a holder it did not check.
  KEYS[1] the route
  ARGV[1] the holder the caller checked ('' = none)   ARGV[2] the line claiming it
  Returns 1 when the route is the line's now, 0 when another holds it (untouched).
]]
local held = redis.call('GET', KEYS[1])
if held == ARGV[2] then return 1 end
if (held == false and ARGV[1] == '') or held == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[2])
  return 1
end
return 0
