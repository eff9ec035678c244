import type { RedisClient } from '../redis/connect';
import type { RedisKeys } from '../redis/keys';
import { asNumber, run } from '../redis/scripts';

/** Which attachment's switch-off check a re-queue slot is for. */
type AttachmentRef = { lineId: string; openLineId: string };

/** The periods between an attachment's re-queues: `baseMs` after 0 or 1 claims, doubling after, at most `maxMs`. */
export interface RequeuePeriods {
  baseMs: number;
  maxMs: number;
}

/** The re-queue hash lives at least this long past its last claim: garbage collection only. */
const REQUEUES_MIN_TTL_MS = 2 * 3600_000;

/**
 * Takes the slot of queuing an attachment's switch-off check again (a refused customer message or
 * the maintenance sweep; `nowMs` of the injected clock). The slot frees a period after it was last
 * taken, the period growing with n, the claims since the attachment's check last wrote its answer
 * (doublingPauseMs(baseMs, maxMs, n)): a check that keeps failing is queued ever less often. One
 * script reads n, claims and counts the claim (check-requeue-claim-1): racing takers claim one slot
 * per period and count it once. False: not free yet.
 */
export async function claimCheckRequeueSlot(
  redis: RedisClient,
  keys: RedisKeys,
  memberId: string,
  { lineId, openLineId }: AttachmentRef,
  nowMs: number,
  { baseMs, maxMs }: RequeuePeriods,
): Promise<boolean> {
  const fields = [keys.openLineCheckRequeueField(lineId, openLineId), keys.openLineCheckRequeueCountField(lineId)];
  const args = [...fields, nowMs, baseMs, maxMs, REQUEUES_MIN_TTL_MS];
  return asNumber(await run(redis, 'check-requeue-claim-1', [keys.openLineCheckRequeues(memberId)], args)) === 0;
}

/**
 * Writes a switch-off check's answer to the line's attachment while its record is still `read`
 * (compare-and-set; `next` '' = it already says so, only compared), and deletes the line's count of
 * re-queues in the same script (check-settle-2): a claim lands wholly before (its count deleted) or
 * wholly after (counting from nothing). False: the record changed meanwhile or is gone.
 */
export async function writeCheckAnswer(
  redis: RedisClient,
  keys: RedisKeys,
  memberId: string,
  { lineId, read, next }: { lineId: string; read: string; next: string },
): Promise<boolean> {
  const args = [lineId, read, next, keys.openLineCheckRequeueCountField(lineId)];
  const reply = await run(
    redis,
    'check-settle-2',
    [keys.openLineAttachments(memberId), keys.openLineCheckRequeues(memberId)],
    args,
  );
  return asNumber(reply) === 1;
}
