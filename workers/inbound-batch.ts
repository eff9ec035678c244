import type { Job } from 'bullmq';
import { z } from 'zod';
import type { Logger } from '../lib/logger';
import type { RunClaim } from '../queues/enqueue-inbound-once';
import type { JobRun } from '../queues/job-retry';
import { inboundBatchSchema } from '../queues/job-schemas';

/** The outcome of an event of a batch run again that an earlier attempt ran to the end (not run again). */
export const DONE_EARLIER = 'done_earlier';
/** The outcome of a second delivery of an event another job (or an earlier place of this batch) runs. */
export const RUN_ELSEWHERE = 'duplicate_delivery';

/** An event's key, read without parsing the rest (each event's run parses it in full). */
const eventKeyOf = (event: unknown): string | undefined => {
  const parsed = keyedEventSchema.safeParse(event);
  return parsed.success ? parsed.data.eventKey : undefined;
};
const keyedEventSchema = z.object({ eventKey: z.string().optional() });

/** A batch's progress after a failed attempt: the places of the events that need no retry. */
const batchProgressSchema = z.object({ done: z.array(z.number().int().nonnegative()) });

/** What an inbound batch job returns: each event's outcome, in the batch's order. */
export interface InboundBatchOutcome {
  batch: string[];
}

/** True for a batch job's data (a job of an older release carries one event). */
function isBatch(data: unknown): boolean {
  return typeof data === 'object' && data !== null && Reflect.get(data, 'kind') === 'batch';
}

/** The events of a batch that earlier attempts ran to the end (none on a first attempt). */
function doneEarlier(progress: unknown): Set<number> {
  const parsed = batchProgressSchema.safeParse(progress);
  return new Set(parsed.success ? parsed.data.done : []);
}

/**
 * The inbound queue's processor: a batch job (queues/inbound-batcher.ts) runs each of its events
 * with `runEvent`, side by side, each with the batch's attempts; a job of an older release carries
 * one event and runs it (claimed like a batch's event). When some events fail, the batch's
 * progress records the ones that need no retry, and the job fails with the first
 * failure (its retry-after, if any, sets the pause); its retry runs only the rest. Each failure
 * is logged here with its event (the worker's `failed` log names the job). An event runs once per
 * key: a second delivery queued in another job (two deliveries past the door's seen check at once)
 * or twice in this one is skipped (`RUN_ELSEWHERE`).
 */
export function createInboundJobProcessor(
  runEvent: (run: JobRun<unknown>) => Promise<string>,
  deps: {
    log: Pick<Logger, 'warn'>;
    /** Claims an event's run for a job (queues/enqueue-inbound-once.ts claimInboundRun). */
    claimRun: (eventKey: string, jobId: string) => Promise<RunClaim>;
    /** Marks a claimed event's run done, once its work is: a run again of the job skips it (markInboundRan). */
    markRan: (eventKey: string, jobId: string) => Promise<void>;
  },
) {
  return async function processInboundJob(job: Job<unknown>): Promise<string | InboundBatchOutcome> {
    // BullMQ gives every job an id; the claims name the job by it.
    const jobId = job.id;
    if (jobId === undefined) throw new Error('an inbound job without an id');
    const { attemptsMade, attemptsStarted, opts } = job;
    /**
     * An event's run, only in the job that claimed it and only until it went to the end once (an event
     * without a key, of an older release, runs). A stall gives no progress: the claim's done mark is
     * what keeps a stalled batch's re-run from running its finished events again.
     */
    const runClaimed = async (data: unknown, eventKey: string | undefined): Promise<string> => {
      if (eventKey === undefined) return runEvent({ data, attemptsMade, attemptsStarted, opts });
      const claim = await deps.claimRun(eventKey, jobId);
      if (claim !== 'run') return claim === 'done' ? DONE_EARLIER : RUN_ELSEWHERE;
      const outcome = await runEvent({ data, attemptsMade, attemptsStarted, opts });
      // Not marked: a run again of this job runs the event again (each run is idempotent but for an
      // ordinary message's keeping), nothing is lost.
      await deps.markRan(eventKey, jobId).catch((error: unknown) => {
        deps.log.warn({ jobId, eventKey, err: error }, 'could not mark an inbound event done');
      });
      return outcome;
    };
    // A job of an older release's door: one event (claimed too: a newer door may have queued it in a batch).
    if (!isBatch(job.data)) return runClaimed(job.data, eventKeyOf(job.data));
    // Strict once it says it is a batch: a malformed one fails with its own error, not an event's.
    const { events } = inboundBatchSchema.parse(job.data);
    const done = doneEarlier(job.progress);
    const taken = new Set<string>();
    /** One event's run: once per event key in the batch, and only in the job that claimed it. */
    const runOnce = (data: unknown): Promise<string> => {
      const eventKey = eventKeyOf(data);
      if (eventKey !== undefined) {
        if (taken.has(eventKey)) return Promise.resolve(RUN_ELSEWHERE);
        taken.add(eventKey);
      }
      return runClaimed(data, eventKey);
    };
    const results = await Promise.allSettled(
      events.map((data, index) => (done.has(index) ? Promise.resolve(DONE_EARLIER) : runOnce(data))),
    );
    const outcomes: string[] = [];
    const failures: Array<{ index: number; error: unknown }> = [];
    for (const [index, result] of results.entries()) {
      if (result.status === 'fulfilled') outcomes.push(result.value);
      else failures.push({ index, error: result.reason });
    }
    const [first, ...others] = failures;
    if (!first) return { batch: outcomes };
    const settled = results.flatMap((result, index) => (result.status === 'fulfilled' ? [index] : []));
    try {
      await job.updateProgress({ done: settled });
    } catch (error) {
      // Not recorded: the retry skips those events by their done marks (or, without one, runs them again).
      deps.log.warn({ jobId, err: error }, 'could not record the inbound events done before a retry');
    }
    for (const { index, error } of [first, ...others])
      deps.log.warn(
        { jobId, event: index, eventKey: eventKeyOf(events[index]), attempts: attemptsMade, err: error },
        'inbound event failed',
      );
    throw first.error;
  };
}
