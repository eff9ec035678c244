import type { Runtime } from '../runtime/create-runtime';
import type { InboundJob } from './job-schemas';

const SEEN_TTL_S = 7 * 86400;

/**
 * Queues one webhook event once: providers deliver at least once, so the job id (from the
 * message/status id) takes each event once. Queued first and marked seen after, so a crash in
 * between cannot turn the provider's retry into a "duplicate". True when it is new.
 */
export async function enqueueInboundOnce(rt: Runtime, job: InboundJob, eventKey: string): Promise<boolean> {
  await rt.queues.enqueueInbound(job, eventKey);
  const fresh = (await rt.redis.set(rt.keys.webhookSeen(eventKey), '1', 'EX', SEEN_TTL_S, 'NX')) === 'OK';
  rt.metrics.webhooks.inc({ outcome: fresh ? 'queued' : 'duplicate' });
  return fresh;
}
