import type { Job } from 'bullmq';
import { z } from 'zod';
import type { Logger } from '../lib/logger';
import type { JobRun } from '../queues/job-retry';
import { inboundBatchSchema } from '../queues/job-schemas';

/** The outcome of an event of a retried batch that an earlier attempt ran to the end (not run again). */
export const DONE_EARLIER = 'done_earlier';

/** A batch's progress after a failed attempt: the places of the events that need no retry. */
const batchProgressSchema = z.object({ done: z.array(z.number().int().nonnegative()) });

/** What an inbound batch job returns: each event's outcome, in the batch's order. */
export interface InboundBatchOutcome {
  batch: string[];
}

/** The events of a batch that earlier attempts ran to the end (none on a first attempt). */
function doneEarlier(progress: unknown): Set<number> {
  const parsed = batchProgressSchema.safeParse(progress);
  return new Set(parsed.success ? parsed.data.done : []);
}

/**
 * The inbound queue's processor: a batch job (queues/inbound-batcher.ts) runs each of its events
 * with `runEvent`, side by side, each with the batch's attempts; a job of an older release carries
 * one event and runs as it is. When some events fail, the batch's progress records the ones that
 * need no retry (every other one's run was idempotent anyway), and the job fails with the first
 * failure (its retry-after, if any, sets the pause); its retry runs only the rest. The other
 * failures are logged here (the worker's `failed` log names the first).
 */
export function createInboundJobProcessor(
  runEvent: (run: JobRun<unknown>) => Promise<string>,
  deps: { log: Pick<Logger, 'warn'> },
) {
  return async function processInboundJob(job: Job<unknown>): Promise<string | InboundBatchOutcome> {
    const batch = inboundBatchSchema.safeParse(job.data);
    if (!batch.success) return runEvent(job);
    const done = doneEarlier(job.progress);
    const { attemptsMade, attemptsStarted, opts } = job;
    const results = await Promise.allSettled(
      batch.data.events.map((data, index) =>
        done.has(index) ? Promise.resolve(DONE_EARLIER) : runEvent({ data, attemptsMade, attemptsStarted, opts }),
      ),
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
      // Not recorded: the retry runs those events again (each run is idempotent), nothing is lost.
      deps.log.warn({ jobId: job.id, err: error }, 'could not record the inbound events done before a retry');
    }
    for (const { index, error } of others)
      deps.log.warn({ jobId: job.id, event: index, attempts: attemptsMade, err: error }, 'inbound event failed');
    throw first.error;
  };
}
