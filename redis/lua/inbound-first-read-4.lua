--[[
  A customer message's first reads, together (the inbound job under a route its process remembers):
  its portal's config version (the line is then checked under it, and the portal's time zone read
  under it), its line's open-line attachment, the portal's count of outbound-event subscriptions and,
  for a tap on a wait's button, that wait as the portal's index of open waits holds it. One round
  trip, where they were four reads (the version one round trip before the others).
  Reads only: the job writes nothing before its line is known, and touches no wait before its first writes.
  KEYS[1] the portal's config version   KEYS[2] the portal's attachments hash
  KEYS[3] the portal's hook subscriptions hash   KEYS[4] the portal's index of open waits
  ARGV[1] the line id   ARGV[2] the tapped wait's field in KEYS[4] ('' = none)
  Returns {version or nil, attachment JSON or nil, subscription count, the wait's JSON or nil}.
]]
local wait = false
if ARGV[2] ~= '' then wait = redis.call('HGET', KEYS[4], ARGV[2]) end
return { redis.call('GET', KEYS[1]), redis.call('HGET', KEYS[2], ARGV[1]), redis.call('HLEN', KEYS[3]), wait }
