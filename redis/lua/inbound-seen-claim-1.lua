--[[
  Claims the run of one inbound event for the job that carries it, in the event's seen marker (the
  key the webhook door checks re-deliveries against). Two deliveries of an event that pass the
  door's seen check together are queued in two jobs (inbound batches have no per-event job id to
  take them once): only the first job to get here runs the event, the other skips it. A run again of
  the same job (a retry, a stall) runs it again unless that job's earlier run went to the end (its
  `done` mark, written once the event's work is done): a stalled batch re-runs only what had not
  finished, so an ordinary message is not kept twice.
  The marker's values: the door's (queued, not run), an older release's worker mark (its run began:
  taken over, so a stalled batch of an older worker still runs), `r:<job>` (running in that job),
  `d:<job>` (that job ran it to the end).
  KEYS[1] the event's seen marker   ARGV[1] seconds to keep it (from each claim)   ARGV[2] the job's id
  Returns 'run', 'done' (this job ran it to the end already) or 'elsewhere' (another job has it).
]]
local held = redis.call('GET', KEYS[1])
local mine = 'r:' .. ARGV[2]
if held == 'd:' .. ARGV[2] then return 'done' end
if held and held ~= mine and (string.sub(held, 1, 2) == 'r:' or string.sub(held, 1, 2) == 'd:') then
  return 'elsewhere'
end
redis.call('SET', KEYS[1], mine, 'EX', tonumber(ARGV[1]))
return 'run'
