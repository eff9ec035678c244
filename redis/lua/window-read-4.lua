--[[
  Reads what is known of a customer's 24-hour window on a line in one round trip (three or four
  reads were three or four commands per free-form send): the customer's last message time under
  the number, the wa_id a send taught for it, the line's tracking start, and the last message time
  under the number's other WhatsApp form (Brazil's 9, Mexico's 1).
  KEYS[1] the customer's window key   KEYS[2] the customer's wa_id key   KEYS[3] the portal's tracking hash
  KEYS[4] the window key of the number's other form (any key of the portal when it has none)
  ARGV[1] line id (field of KEYS[3])   ARGV[2] '1' when KEYS[4] is the other form's window key
  Returns {last, wa_id, tracking since, last under the other form}, false for each not there.
]]
local other = false
if ARGV[2] == '1' then other = redis.call('GET', KEYS[4]) end
return { redis.call('GET', KEYS[1]), redis.call('GET', KEYS[2]), redis.call('HGET', KEYS[3], ARGV[1]), other }
