--[[
  The callback index mark (callback-enqueue-3.lua spells the protocol): after a script queued a
  callback due at `due_ms`, whether its caller must write the global index of due portals. 0 only
  behind a confirmed mark at or before `due_ms`; otherwise 1, and a pending mark `p:<token>` (the
  caller confirms it with callback-indexed-1.lua once its index write succeeded), except while a
  dispatcher's moving mark 'd' is there (kept: no confirm may land until its move is done).
]]
local function callback_must_index(mark_key, due_ms, token, ttl_ms)
  local raw = redis.call('GET', mark_key)
  if raw == 'd' then return 1 end
  local mark = tonumber(raw)
  if mark and mark <= tonumber(due_ms) then return 0 end
  redis.call('SET', mark_key, 'p:' .. token, 'PX', ttl_ms)
  return 1
end
