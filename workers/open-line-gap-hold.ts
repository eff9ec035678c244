import type { Logger } from '../lib/logger';
import type { ArrangedChat } from '../openlines/chat-order';
import { readNumberCarrier } from '../openlines/receipt-numbering';
import type { RunClaimHolder } from '../queues/enqueue-inbound-once';
import { isStillComing } from '../queues/job-retry';
import type { ChatOrder, OpenLineOutbox } from '../store/open-line-outbox';

export interface GapHoldDeps {
  outbox: Pick<OpenLineOutbox, 'jobOf'>;
  /** The BullMQ state of an inbound job ('unknown' once it is gone). */
  inboundJobState?: (jobId: string) => Promise<string>;
  /** The job that claimed an event's run and whether it went to the end (inbound-seen-claim-1.lua), or null. */
  inboundRunOf?: (eventKey: string) => Promise<RunClaimHolder | null>;
  /** How long a gap whose message's job is still retrying may hold the chat at most (default 15 min). */
  gapCeilingMs?: number;
}

/** How often a chat held by a retrying job looks again (the job's item also wakes it when queued). */
export const GAP_RECHECK_MS = 5000;

/**
 * The gap time-out a claimed chat is arranged with now: the usual one, unless that has passed while
 * the missing number's inbound job is still queued, running or waiting to retry (its retries can
 * take minutes): then the chat keeps waiting for it, up to the hard ceiling. A job gone or failed
 * for good lets the gap pass. Returns the time-out, and whether the chat is held by a retrying job.
 */
export async function gapTimeoutFor(
  deps: GapHoldDeps,
  memberId: string,
  chatKey: string,
  order: ChatOrder,
  now: number,
  gapTimeoutMs: number,
): Promise<{ timeoutMs: number; held: boolean }> {
  const ceiling = Math.max(gapTimeoutMs, deps.gapCeilingMs ?? 15 * 60_000);
  const gap = order.gap;
  if (!gap || !deps.inboundJobState || now - gap.since < gapTimeoutMs || now - gap.since >= ceiling)
    return { timeoutMs: gapTimeoutMs, held: false };
  const carrier = await deps.outbox.jobOf(memberId, chatKey, gap.awaited);
  const job = carrier === null ? null : await runningJob(deps, carrier);
  if (job === null || !isStillComing(await deps.inboundJobState(job))) return { timeoutMs: gapTimeoutMs, held: false };
  return { timeoutMs: ceiling, held: true };
}

/**
 * The job that runs a numbered message: the one that claimed its run, when the number was given with
 * the event's key (receipt-numbering.ts numberCarrier) and a job has claimed it; else the
 * job it was numbered under. They differ when a repeated delivery's job runs the event (the first
 * delivery's job never queued, its door having failed, or the second claiming first). None once
 * the claimed run went to the end: nothing is still coming for the number (its batch may still run
 * other events, which must not hold this chat).
 */
async function runningJob(deps: GapHoldDeps, carrier: string): Promise<string | null> {
  const { jobId, eventKey } = readNumberCarrier(carrier);
  if (eventKey === undefined || !deps.inboundRunOf) return jobId;
  const claim = await deps.inboundRunOf(eventKey);
  if (!claim) return jobId;
  return claim.done ? null : claim.jobId;
}

/**
 * Logs the gaps a chat went past, once each: a chat the portal keeps refusing re-arranges the same
 * passed gap on every retry (per process; the memory is bounded).
 */
export function passedGapLog(log: Pick<Logger, 'warn'>) {
  const logged = new Set<string>();
  return (memberId: string, chatKey: string, arranged: Pick<ArrangedChat, 'passed'>): void => {
    for (const gap of arranged.passed) {
      const key = `${memberId}|${chatKey}|${gap.from}|${gap.since}`;
      if (logged.has(key)) continue;
      if (logged.size >= 10_000) logged.clear();
      logged.add(key);
      log.warn(
        { memberId, chatKey, missing: gap.from === gap.to ? gap.from : `${gap.from}-${gap.to}`, since: gap.since },
        'open-line chat went on past a missing message number (gap time-out)',
      );
    }
  };
}
