--[[
  A customer message's first reads, together (the inbound job under a route its process remembers):
  its portal's config version (the line is then checked under it, and the portal's time zone read
  under it), its line's open-line attachment and the portal's count of outbound-event subscriptions.
  One round trip, where they were three reads (the version one round trip before the other two).
  Reads only: the job writes nothing before its line is known.
  KEYS[1] the portal's config version   KEYS[2] the portal's attachments hash
  KEYS[3] the portal's hook subscriptions hash   ARGV[1] the line id
  Returns {version or nil, attachment JSON or nil, subscription count}.
]]
return { redis.call('GET', KEYS[1]), redis.call('HGET', KEYS[2], ARGV[1]), redis.call('HLEN', KEYS[3]) }
