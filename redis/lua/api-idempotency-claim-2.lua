--[[
  Claims a webhook-API idempotency key for a new request and records the request, in one step; or
  answers with the request that holds the key. The key holds "<message id> <fingerprint>" (a key
  written before fingerprints holds the id alone and replays whatever is asked).
  KEYS[1] the idempotency key   KEYS[2] the new request's record (hash)
  ARGV[1] new message id   ARGV[2] the request's fingerprint (hex)   ARGV[3] ttl (s)
  ARGV[4] a holder id to take the key over from ('' = none): the caller found its record gone
  ARGV[5..] the record's field, value pairs
  Returns {1, id} claimed and recorded; {0, id} the same request before: replay id;
  {-1, id} the key was used for a different request (id): nothing written.
]]
local held = redis.call('GET', KEYS[1])
if held then
  local gap = string.find(held, ' ', 1, true)
  local id = gap and string.sub(held, 1, gap - 1) or held
  local print = gap and string.sub(held, gap + 1) or ''
  if ARGV[4] == '' or id ~= ARGV[4] then
    if print ~= '' and print ~= ARGV[2] then return {-1, id} end
    return {0, id}
  end
end
local ttl = tonumber(ARGV[3])
redis.call('SET', KEYS[1], ARGV[1] .. ' ' .. ARGV[2], 'EX', ttl)
redis.call('HSET', KEYS[2], unpack(ARGV, 5))
redis.call('EXPIRE', KEYS[2], ttl)
return {1, ARGV[1]}
