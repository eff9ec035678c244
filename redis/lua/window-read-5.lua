--[[
  Reads what is known of a customer's 24-hour window on a line in one round trip (three or four
  reads were three or four commands per free-form send): the customer's last message time under
  the number, the wa_id a send taught for it, the line's tracking start, and the last message time
  under the number's other WhatsApp form (Brazil's 9, Mexico's 1). With them, when asked, every step
  of the call the send belongs to (its sent-step hash, workers/call-steps.ts): a free-form send reads
  both before it decides, and they were a round trip each.
  KEYS[1] the customer's window key   KEYS[2] the customer's wa_id key   KEYS[3] the portal's tracking hash
  KEYS[4] the window key of the number's other form (any key of the portal when it has none)
  KEYS[5] the call's sent-step hash (any key of the portal when not read)
  ARGV[1] line id (field of KEYS[3])   ARGV[2] '1' when KEYS[4] is the other form's window key
  ARGV[3] '1' when KEYS[5] is to be read
  Returns {last, wa_id, tracking since, last under the other form, the call's steps}, false for each
  not there (or not asked for); the steps as HGETALL answers them (field, value, …).
]]
local other = false
if ARGV[2] == '1' then other = redis.call('GET', KEYS[4]) end
local steps = false
if ARGV[3] == '1' then steps = redis.call('HGETALL', KEYS[5]) end
return { redis.call('GET', KEYS[1]), redis.call('GET', KEYS[2]), redis.call('HGET', KEYS[3], ARGV[1]), other, steps }
