import type { RedisClient } from '../redis/connect';
import type { RedisKeys } from '../redis/keys';
import { scripts } from '../redis/scripts';

/** Which attachment's switch-off check a re-queue slot is for. */
type AttachmentRef = { lineId: string; openLineId: string };

/**
 * Takes the slot of queuing an attachment's switch-off check again (a refused customer message or
 * the maintenance sweep; `nowMs` of the injected clock). The slot frees `periodOf(n)` after it was
 * last taken, n counting the claims since the attachment's check last wrote its answer
 * (clearCheckRequeues): a check that keeps failing is queued ever less often. False: not free yet.
 * Two racing claims read one n and one period: only one of them takes the slot.
 */
export async function claimCheckRequeueSlot(
  redis: RedisClient,
  keys: RedisKeys,
  memberId: string,
  { lineId, openLineId }: AttachmentRef,
  nowMs: number,
  periodOf: (claims: number) => number,
): Promise<boolean> {
  const key = keys.openLineCheckRequeues(memberId);
  const countField = keys.openLineCheckRequeueCountField(lineId, openLineId);
  const claims = Number(await redis.hget(key, countField)) || 0;
  const periodMs = periodOf(claims);
  const field = keys.openLineCheckRequeueField(lineId, openLineId);
  // The hash lives longer than any period: garbage collection only.
  const args = { field, nowMs, periodMs, ttlMs: Math.max(10 * periodMs, 2 * 3600_000) };
  if ((await scripts.claimPeriod(redis, key, args)) !== 0) return false;
  await redis.hincrby(key, countField, 1);
  return true;
}

/**
 * The attachment's check wrote its answer: its count of re-queues starts over, so the next one
 * waits the first period (from the last claim, which stays: refusals still queue at most that often).
 */
export async function clearCheckRequeues(
  redis: RedisClient,
  keys: RedisKeys,
  memberId: string,
  { lineId, openLineId }: AttachmentRef,
): Promise<void> {
  await redis.hdel(keys.openLineCheckRequeues(memberId), keys.openLineCheckRequeueCountField(lineId, openLineId));
}
