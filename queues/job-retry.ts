import type { Job, MinimalJob } from 'bullmq';
import { classifyError } from '../lib/errors/classify-error';

/** The backoff type every queue uses: BullMQ calls `retryBackoffStrategy` for it. */
export const RETRY_BACKOFF = 'retry-after-or-exponential';

/** Job options for `attempts` tries, doubling from `firstDelayMs` unless the error names its own pause. */
export function retryOptions(attempts: number, firstDelayMs: number) {
  return { attempts, backoff: { type: RETRY_BACKOFF, delay: firstDelayMs } };
}

/**
 * The workers' custom backoff: a provider's or portal's Retry-After when the error carries one,
 * else exponential from the job's own delay.
 */
export function retryBackoffStrategy(
  attemptsMade: number,
  _type?: string,
  error?: Error,
  job?: Pick<MinimalJob, 'opts'>,
): number {
  const named = error ? classifyError(error).retryAfterMs : undefined;
  if (named !== undefined) return named;
  const backoff = job?.opts.backoff;
  const first = typeof backoff === 'object' && backoff.delay !== undefined ? backoff.delay : 1000;
  return Math.round(first * 2 ** Math.max(0, attemptsMade - 1));
}

/**
 * What a processor reads of its job: its data and its attempts. An inbound event runs with its
 * batch's attempts (workers/inbound-batch.ts), so a processor of one event takes no more than this.
 */
export type JobRun<T> = Pick<Job<T>, 'data' | 'attemptsMade' | 'opts'> & Partial<Pick<Job<T>, 'attemptsStarted'>>;

/** True on a job's last try: what fails now is final. */
export function isLastAttempt(job: Pick<Job, 'attemptsMade' | 'opts'>): boolean {
  return job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
}

/**
 * True when the job ran before: a retry after a failure, or a run again after its worker died
 * (stalled: BullMQ counts it started, not made).
 */
export function isRetry(job: Pick<Job, 'attemptsMade'> & Partial<Pick<Job, 'attemptsStarted'>>): boolean {
  return job.attemptsMade > 0 || (job.attemptsStarted ?? 0) > 1;
}

/**
 * One retry decision for every processor: rethrow (BullMQ retries it) when the error is
 * retryable and attempts remain; otherwise the caller finishes the job with the error.
 */
export function shouldRetry(error: unknown, job: Pick<Job, 'attemptsMade' | 'opts'>): boolean {
  return classifyError(error).retryable && !isLastAttempt(job);
}

/** BullMQ job states of a job still on its way: queued, running, or waiting to retry. */
const STILL_COMING = new Set(['waiting', 'delayed', 'active', 'prioritized', 'waiting-children']);

/** Whether a job in BullMQ `state` will still run (false once it completed, failed for good or is gone). */
export function isStillComing(state: string): boolean {
  return STILL_COMING.has(state);
}
