--[[
  Claims the run of one inbound event for the job that carries it. Two deliveries of an event that
  pass the door's seen check together are queued in two jobs (inbound batches have no per-event job
  id to take them once; an older door's single-event job may meet a newer door's batch): only the
  first job to get here runs the event; the other skips it. A run again of the same job (a retry,
  a stall) holds the claim already and runs.
  KEYS[1] the event's run claim   ARGV[1] seconds to keep it (from each attempt)   ARGV[2] the job's id
  Returns 1 when this job runs the event, 0 when another job has it.
]]
local held = redis.call('GET', KEYS[1])
if held and held ~= ARGV[2] then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'EX', tonumber(ARGV[1]))
return 1
