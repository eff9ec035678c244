--[[
  Emits one outbound event (see lib/hook-emit.lua).
  KEYS[1] the event id's seen-marker   KEYS[2] the portal's event stream   KEYS[3] its subscriptions hash
  ARGV[1] event id   ARGV[2] type   ARGV[3] JSON body   ARGV[4] now ms   ARGV[5] ms to remember the id
  ARGV[6] wake-up channel   ARGV[7] member id
]]
return hook_emit(KEYS[1], KEYS[2], KEYS[3], ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6], ARGV[7])
