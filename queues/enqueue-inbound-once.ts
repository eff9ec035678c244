import { z } from 'zod';
import type { Metrics } from '../lib/metrics';
import type { RedisClient } from '../redis/connect';
import type { RedisKeys } from '../redis/keys';
import { run } from '../redis/scripts';
import { type Queues, withEventKey } from './create-queues';
import type { InboundJob } from './job-schemas';

const SEEN_TTL_S = 7 * 86400;
/** The door's seen marker value (webhook-seen-1.lua); a worker's run claim is kept in the same key. */
const SEEN_BY_DOOR = '1';

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
 * the job that claimed it once one has). The worker's run claim lives in the marker too
 * (claimInboundRun), written before the event runs: so a completed job need not be kept for the
 * days a re-delivery may take, only briefly. True when it is new.
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
  const marked = await run(deps.redis, 'webhook-seen-1', [seenKey], [SEEN_TTL_S, SEEN_BY_DOOR, slot.jobId]);
  const fresh = marked === 1;
  deps.metrics.webhooks.inc({ outcome: fresh ? 'queued' : 'duplicate' });
  return fresh;
}

/** What a job's claim of an event's run found (inbound-seen-claim-1.lua). */
export type RunClaim = 'run' | 'done' | 'elsewhere';
const runClaimSchema = z.enum(['run', 'done', 'elsewhere']);

/**
 * Claims the run of a queued event for job `jobId`, in the event's seen marker (7 days from each
 * claim: a second delivery queued behind a backlog still finds it, and a re-delivery after the run is
 * turned away at the door): 'elsewhere' when another job (a second delivery queued beside the first)
 * has it, 'done' when this job ran it to the end before (markInboundRan; a stalled batch's re-run),
 * else 'run' (a retry of the claiming job runs it again).
 */
export async function claimInboundRun(
  deps: Pick<EnqueueInboundDeps, 'redis' | 'keys'>,
  eventKey: string,
  jobId: string,
): Promise<RunClaim> {
  return runClaimSchema.parse(
    await run(deps.redis, 'inbound-seen-claim-1', [deps.keys.webhookSeen(eventKey)], [SEEN_TTL_S, jobId]),
  );
}

/**
 * Marks an event's run done by the job that claimed it, once its work is done: a run again of that
 * job (a stall) skips it. The marker stays a seen marker (the door checks only that it exists).
 */
export async function markInboundRan(
  deps: Pick<EnqueueInboundDeps, 'redis' | 'keys'>,
  eventKey: string,
  jobId: string,
): Promise<void> {
  await deps.redis.set(deps.keys.webhookSeen(eventKey), `d:${jobId}`, 'EX', SEEN_TTL_S);
}

/** The job that claimed an event's run, and whether that run went to the end. */
export interface RunClaimHolder {
  jobId: string;
  done: boolean;
}

/** The claim an event's seen marker holds (claimInboundRun, markInboundRan), or null (a door's or an older worker's mark). */
export function runClaimOf(marker: string | null): RunClaimHolder | null {
  if (marker === null) return null;
  if (marker.startsWith('r:')) return { jobId: marker.slice(2), done: false };
  if (marker.startsWith('d:')) return { jobId: marker.slice(2), done: true };
  return null;
}

/**
 * The claim of an event's run, for the open-line gap hold: in the seen marker, else an older
 * release's claim key (kept a day; read only while the marker names no job; remove in a later release).
 */
export async function readRunClaim(
  deps: Pick<EnqueueInboundDeps, 'redis' | 'keys'>,
  eventKey: string,
): Promise<RunClaimHolder | null> {
  const claim = runClaimOf(await deps.redis.get(deps.keys.webhookSeen(eventKey)));
  if (claim) return claim;
  const older = await deps.redis.get(deps.keys.inboundRun(eventKey));
  return older === null ? null : { jobId: older, done: false };
}
