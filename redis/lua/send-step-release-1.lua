--[[
  The provider refused the send outright (nothing left): takes this attempt's in-flight mark
  back, restoring the earlier attempt's mark if there was one (that one may still have left).
  Only this attempt's own mark is touched: a recorded message id or another attempt's mark stays.
  KEYS[1] sent-step hash
  ARGV[1] step field   ARGV[2] this attempt's mark   ARGV[3] the earlier mark ('' = none)
  Returns 1 when the mark was taken back.
]]
if redis.call('HGET', KEYS[1], ARGV[1]) ~= ARGV[2] then return 0 end
if ARGV[3] ~= '' then
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
else
  redis.call('HDEL', KEYS[1], ARGV[1])
end
return 1
