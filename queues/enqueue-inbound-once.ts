import type { Metrics } from '../lib/metrics';
import type { RedisClient } from '../redis/connect';
import type { RedisKeys } from '../redis/keys';
import { run } from '../redis/scripts';
import { type Queues, withEventKey } from './create-queues';
import type { InboundJob } from './job-schemas';

const SEEN_TTL_S = 7 * 86400;
/** The seen marker's values: the worker's does not make the door's first delivery a duplicate (webhook-seen-1.lua). */
const SEEN_BY_DOOR = '1';
const SEEN_BY_WORKER = 'w';

export interface EnqueueInboundDeps {
  redis: RedisClient;
  keys: RedisKeys;
  metrics: Pick<Metrics, 'webhooks'>;
  queues: Pick<Queues, 'joinInbound'>;
  /** A customer message's number in its open-line chat, given here at receipt (openlines/receipt-numbering.ts). */
  numberAtReceipt?: (job: InboundJob, jobId: string) => Promise<number | undefined>;
}

/**
 * Queues one webhook event once: providers deliver at least once (Meta retries for days). A seen
 * marker (7 days) turns re-deliveries away; it is written only after the event is queued (in the
 * batch of its turn of the event loop, queues/inbound-batcher.ts), so a crash in between makes the
 * retry queue it again: the worker then runs it once, in the job that claims its run first
 * (claimInboundRun; the number it gets at receipt is the same each time, and its chat waits for
 * the job that claimed it once one has). The worker writes the marker as well (markInboundSeen),
 * before the job completes: so a completed job need not be kept for the days a re-delivery may
 * take, only briefly. True when it is new.
 */
export async function enqueueInboundOnce(
  deps: EnqueueInboundDeps,
  job: InboundJob,
  eventKey: string,
): Promise<boolean> {
  const seenKey = deps.keys.webhookSeen(eventKey);
  if (await deps.redis.exists(seenKey)) {
    deps.metrics.webhooks.inc({ outcome: 'duplicate' });
    return false;
  }
  // Numbered before it is queued, under the job that will carry it: a job that runs late still
  // takes its place in the chat (and the chat waits for that job while it may still run).
  const keyed = withEventKey(job, eventKey);
  const slot = deps.queues.joinInbound();
  let chatSeq: number | undefined;
  try {
    chatSeq = await deps.numberAtReceipt?.(keyed, slot.jobId);
  } catch (error) {
    slot.cancel();
    throw error;
  }
  await slot.commit(chatSeq === undefined ? keyed : { ...keyed, chatSeq });
  const fresh = (await run(deps.redis, 'webhook-seen-1', [seenKey], [SEEN_TTL_S, SEEN_BY_DOOR, SEEN_BY_WORKER])) === 1;
  deps.metrics.webhooks.inc({ outcome: fresh ? 'queued' : 'duplicate' });
  return fresh;
}

/**
 * The seen marker of a queued event, written by the worker that runs its job (the door writes it
 * right after queueing; a door that died in between left none): once a job has run, a re-delivery
 * is turned away at the door whether or not the completed job is still kept.
 */
export async function markInboundSeen(
  deps: Pick<EnqueueInboundDeps, 'redis' | 'keys'>,
  eventKey: string,
): Promise<void> {
  // NX: a door's marker (its delivery counted) is kept as it is.
  await deps.redis.set(deps.keys.webhookSeen(eventKey), SEEN_BY_WORKER, 'EX', SEEN_TTL_S, 'NX');
}

/**
 * How long an event's run stays claimed by its job, from its last attempt's start: a second
 * delivery queued while the first waited still finds it after a backlog of up to a day (one that
 * comes later still is turned away by the seen marker, which its first run wrote).
 */
const RUN_CLAIM_TTL_S = 86_400;

/**
 * Claims the run of a queued event for job `jobId` (inbound-run-claim-1.lua): false when another
 * job (a second delivery queued beside the first) has it. A run again of the same job gets true.
 */
export async function claimInboundRun(
  deps: Pick<EnqueueInboundDeps, 'redis' | 'keys'>,
  eventKey: string,
  jobId: string,
): Promise<boolean> {
  return (
    (await run(deps.redis, 'inbound-run-claim-1', [deps.keys.inboundRun(eventKey)], [RUN_CLAIM_TTL_S, jobId])) === 1
  );
}
