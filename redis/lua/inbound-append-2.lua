--[[
  Keeps an ordinary inbound message (no wait took it) in the portal's stream, capped near 100,000
  entries, and counts the portal's outbound-event subscriptions in the same step: a job that found
  none when it began tells one added since of the message (its `message.received`) after all.
  KEYS[1] the portal's stream of ordinary messages   KEYS[2] its outbound-event subscriptions (hash)
  ARGV the message's field, value pairs
  Returns the number of subscriptions.
]]
redis.call('XADD', KEYS[1], 'MAXLEN', '~', '100000', '*', unpack(ARGV))
return redis.call('HLEN', KEYS[2])
