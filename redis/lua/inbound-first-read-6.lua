--[[
  A customer message's first reads, together (the inbound job under a route its process remembers):
  its portal's config version (the line is then checked under it, and the portal's time zone read
  under it), its line's open-line attachment, the portal's count of outbound-event subscriptions and,
  for a tap on a wait's button, that wait as the portal's index of open waits holds it. One round
  trip, where they were four reads (the version one round trip before the others).
  And its first write, the customer's window (lib/window-note.lua), when the job asks for it under
  the config version its copy of the line was taken under and that is still the version: the line
  is then the portal's as the job knows it (a line changed or removed changes the version), so the
  note is the one the job would write once it found the line. Otherwise nothing is written here.
  No wait is touched here: the job's other first writes come after, and only then its waits.
  KEYS[1] the portal's config version   KEYS[2] the portal's attachments hash
  KEYS[3] the portal's hook subscriptions hash   KEYS[4] the portal's index of open waits
  KEYS[5] the customer's window key   KEYS[6] the portal's window tracking hash
  ARGV[1] the line id   ARGV[2] the tapped wait's field in KEYS[4] ('' = none)
  ARGV[3] the version the note is written under ('' = no note)   ARGV[4] the message's time (Unix s)
  ARGV[5] now (ms)   ARGV[6] the window key's time-to-live (s)
  Returns {version or nil, attachment JSON or nil, subscription count, the wait's JSON or nil, 1 when noted else 0}.
]]
local version = redis.call('GET', KEYS[1])
local noted = 0
if ARGV[3] ~= '' and version == ARGV[3] then
  note_window(KEYS[5], KEYS[6], tonumber(ARGV[4]), ARGV[1], ARGV[5], tonumber(ARGV[6]))
  noted = 1
end
local wait = false
if ARGV[2] ~= '' then wait = redis.call('HGET', KEYS[4], ARGV[2]) end
return { version, redis.call('HGET', KEYS[2], ARGV[1]), redis.call('HLEN', KEYS[3]), wait, noted }
