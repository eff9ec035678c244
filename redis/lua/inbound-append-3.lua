--[[
  Keeps an ordinary inbound message (no wait took it) in the portal's stream, capped near 100,000
  entries, and counts the portal's outbound-event subscriptions in the same step: a job that found
  none when it began tells one added since of the message (its `message.received`) after all. Reads
  the message's line's open-line attachment in the same step too: the relay decides on it, read
  after the job's wait work (a line attached meanwhile gets the message), without a round trip more.
  KEYS[1] the portal's stream of ordinary messages   KEYS[2] its outbound-event subscriptions (hash)
  KEYS[3] the portal's open-line attachments (hash: WhatsApp line id -> attachment json)
  ARGV[1] the message's WhatsApp line id   ARGV[2..] the message's field, value pairs
  Returns {the number of subscriptions, the line's attachment json or false when none}.
]]
redis.call('XADD', KEYS[1], 'MAXLEN', '~', '100000', '*', unpack(ARGV, 2))
return { redis.call('HLEN', KEYS[2]), redis.call('HGET', KEYS[3], ARGV[1]) }
