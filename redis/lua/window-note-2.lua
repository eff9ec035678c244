--[[
  Notes a customer's message on a line (lib/window-note.lua).
  KEYS[1] the customer's window key   KEYS[2] the portal's tracking hash
  ARGV[1] the message's time (Unix s)   ARGV[2] line id (field of KEYS[2])   ARGV[3] now (ms)
  ARGV[4] the window key's time-to-live (s)
  Returns the kept time (Unix s).
]]
return note_window(KEYS[1], KEYS[2], tonumber(ARGV[1]), ARGV[2], ARGV[3], tonumber(ARGV[4]))
