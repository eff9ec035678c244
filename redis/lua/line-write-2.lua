--[[
  Writes a portal's line and its config version in one step, and answers what it replaced: an add
  that loses its number's race puts back exactly what its write replaced, and only while its own
  write is still there (a rename or a rate saved meanwhile stays as saved).
  KEYS[1] the portal's lines hash   KEYS[2] its config version
  ARGV[1] line id   ARGV[2] the value to write ('' = remove the line)   ARGV[3] the new config version
  ARGV[4] '' to write whatever is there, '-' only while there is no such line, else the value the
  line must still hold (values are JSON objects: never '' or '-')
  Returns {1, the value replaced ('' = none)} when written; {0, ''} when the line changed meanwhile.
]]
local current = redis.call('HGET', KEYS[1], ARGV[1])
if ARGV[4] == '-' then
  if current then return {0, ''} end
elseif ARGV[4] ~= '' and current ~= ARGV[4] then
  return {0, ''}
end
if ARGV[2] == '' then
  redis.call('HDEL', KEYS[1], ARGV[1])
else
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
end
redis.call('SET', KEYS[2], ARGV[3])
return {1, current or ''}
