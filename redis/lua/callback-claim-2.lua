--[[
  Leases up to N due callbacks of one portal. A leased entry becomes due again after the
  lease, so a worker that dies mid-batch loses nothing (at-least-once).
  KEYS[1] pending hash   KEYS[2] due zset
  ARGV[1] now ms   ARGV[2] max entries   ARGV[3] lease ms
  Returns a flat list: tokenHash, json, sha, tokenHash, json, sha, ... where sha is the SHA1 of
  the json's stored bytes (what callback-settle-2.lua compares before a reschedule: hashed here, not
  by the caller, whose client decodes the bytes as UTF-8 and would hash U+FFFD for invalid ones).
]]
local ids = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
local out = {}
for _, id in ipairs(ids) do
  local json = redis.call('HGET', KEYS[1], id)
  if json then
    redis.call('ZADD', KEYS[2], tonumber(ARGV[1]) + tonumber(ARGV[3]), id)
    table.insert(out, id)
    table.insert(out, json)
    table.insert(out, redis.sha1hex(json))
  else
    redis.call('ZREM', KEYS[2], id)
  end
end
return out
