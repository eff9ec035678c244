--[[
  Shared by the scripts that read or change a stored wait (redis/script-files.ts puts it before
  each that names it). An open wait is a field of the portal's wait-index hash (its field, `w:<id>`, spelled by
  keys.ts and passed in): a hash field costs less than a key of its own. An ended wait (kept a week,
  with a key TTL: field TTLs need Redis 7.4, newer than the Redis 7 this app supports) and one an older release stored have their own key.
]]
-- The stored JSON and whether it is the hash's field (nil when there is no such wait).
local function wait_read(index, field, key)
  local raw = redis.call('HGET', index, field)
  if raw then return raw, true end
  return redis.call('GET', key), false
end

-- Writes the wait back where it was read from (its own key keeps its TTL).
local function wait_write(index, field, key, in_index, json)
  if in_index then
    redis.call('HSET', index, field, json)
  else
    redis.call('SET', key, json, 'KEEPTTL')
  end
end
