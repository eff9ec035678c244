import type { Runtime } from '../runtime/create-runtime';
import type { InboundJob } from './job-schemas';

const SEEN_TTL_S = 7 * 86400;

/**
 * Queues one webhook event once: providers deliver at least once (Meta retries for days). A seen
 * marker (7 days) turns re-deliveries away; it is written only after the job is queued, so a
 * crash in between makes the retry queue it again — and the job id (from the message/status id)
 * still takes it once. True when it is new.
 */
export async function enqueueInboundOnce(rt: Runtime, job: InboundJob, eventKey: string): Promise<boolean> {
  const seenKey = rt.keys.webhookSeen(eventKey);
  if (await rt.redis.exists(seenKey)) {
    rt.metrics.webhooks.inc({ outcome: 'duplicate' });
    return false;
  }
  await rt.queues.enqueueInbound(job, eventKey);
  const fresh = (await rt.redis.set(seenKey, '1', 'EX', SEEN_TTL_S, 'NX')) === 'OK';
  rt.metrics.webhooks.inc({ outcome: fresh ? 'queued' : 'duplicate' });
  return fresh;
}
