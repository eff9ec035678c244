--[[
  A line's open-line attachment and its portal's config version, read together (the webhook door
  numbers a message under a remembered route: one round trip, where two reads were two).
  KEYS[1] the portal's config version   KEYS[2] the portal's attachments hash   ARGV[1] the line id
  Returns {version or nil, attachment JSON or nil}.
]]
return { redis.call('GET', KEYS[1]), redis.call('HGET', KEYS[2], ARGV[1]) }
