--[[
  Shared by the wait scripts (redis/script-files.ts puts it before each that names it): a portal's
  wait-index hash maps an index field (spelled by keys.ts, passed in as ARGV) to space-separated
  wait ids.
]]
-- Adds `id` to `field` of `hash` unless it is there already ('' or nil field: nothing).
local function index_add(hash, field, id)
  if not field or field == '' then return end
  local current = redis.call('HGET', hash, field)
  if current then
    for other in string.gmatch(current, '%S+') do
      if other == id then return end
    end
  end
  redis.call('HSET', hash, field, current and (current .. ' ' .. id) or id)
end

-- Removes `id` from `field` of `hash`; the field goes when no id is left ('' or nil field: nothing).
local function index_remove(hash, field, id)
  if not field or field == '' then return end
  local current = redis.call('HGET', hash, field)
  if not current then return end
  local kept = {}
  for other in string.gmatch(current, '%S+') do
    if other ~= id then table.insert(kept, other) end
  end
  if #kept == 0 then redis.call('HDEL', hash, field) else redis.call('HSET', hash, field, table.concat(kept, ' ')) end
end
