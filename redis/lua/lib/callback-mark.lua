--[[
  The callback index mark (callback-enqueue-3.lua spells the protocol): after a script queued a
  callback due at `due_ms`, whether its caller must write the global index of due portals.
  0 only behind a confirmed mark at or before `due_ms`. 1: the caller writes the index, having set
  its own pending mark `p:<token>` here, and confirms it after the write (callback-indexed-1.lua).
  2: another's write (a pending mark) or a dispatcher's move ('p:d:<token>', callback-move-start-2.lua;
  a bare 'd' from an older dispatcher) is under way: the caller writes the index but leaves that mark
  alone, so the write under way can still confirm. A moving mark is spelt as a pending one on purpose:
  any version of this function treats it as one (2), and no caller's token (base64url) holds a ':'.
]]
local function callback_must_index(mark_key, due_ms, token, ttl_ms)
  local raw = redis.call('GET', mark_key)
  if raw == 'd' then return 2 end
  local mark = tonumber(raw)
  if mark and mark <= tonumber(due_ms) then return 0 end
  if raw and string.sub(raw, 1, 2) == 'p:' then return 2 end
  redis.call('SET', mark_key, 'p:' .. token, 'PX', ttl_ms)
  return 1
end
