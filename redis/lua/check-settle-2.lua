--[[
  A switch-off check's answer: the attachment's record is replaced only while it is still the one
  the check read (compare-and-set, as hash-field-swap-1), and in the same step the attachment's
  count of re-queues is deleted, so its next re-queue waits the first period again. One step: a
  re-queue taken (check-requeue-claim-1) lands wholly before the answer (its count deleted) or
  wholly after it (counting from nothing).
  KEYS[1] the portal's attachments hash   KEYS[2] the portal's re-queue hash
  ARGV[1] the attachment's field   ARGV[2] its value as read
  ARGV[3] the new value ('' = the record already says so: only compared)
  ARGV[4] the field of KEYS[2] with the attachment's count of re-queues
  Returns 1 when written (or found as read), 0 when it changed meanwhile or is gone.
]]
if redis.call('HGET', KEYS[1], ARGV[1]) ~= ARGV[2] then return 0 end
if ARGV[3] ~= '' then redis.call('HSET', KEYS[1], ARGV[1], ARGV[3]) end
redis.call('HDEL', KEYS[2], ARGV[4])
return 1
