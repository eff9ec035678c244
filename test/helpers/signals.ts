/**
 * Positive signals that work has finished, so a test can then assert that nothing ELSE happened
 * without sleeping: finished BullMQ jobs (with their return values), idle queues and an empty
 * callback outbox, and Prometheus counters.
 */
import { type Job, type JobType, Queue } from 'bullmq';
import type { Counter } from 'prom-client';
import { z } from 'zod';
import { type InboundBatch, type InboundJob, inboundBatchSchema, inboundJobSchema } from '../../queues/job-schemas';
import { defined } from './defined';
import { eventually, type Harness } from './harness';

/** One job that finished after a mark: its outcome and its return value (or failure reason). */
export interface FinishedJob {
  event: 'completed' | 'failed';
  jobId: string;
  value: unknown;
}

/**
 * Jobs of one queue that finish after the moment the log was started. An inbound batch counts as
 * its events: one entry per event, with its outcome (the job id is the batch's).
 */
export interface JobLog {
  finished(): Promise<FinishedJob[]>;
  /** Waits until `count` jobs have completed since the mark and returns their return values, in order. */
  completed(count: number, what?: string, timeoutMs?: number): Promise<unknown[]>;
}

/** The fields of a Redis stream entry (`[name, value, name, value, …]`) as a map. */
export function streamFields(fields: string[]): Map<string, string> {
  const map = new Map<string, string>();
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const name = fields[i];
    const value = fields[i + 1];
    if (name !== undefined && value !== undefined) map.set(name, value);
  }
  return map;
}

/** An inbound batch job's return value (workers/inbound-batch.ts). */
const inboundBatchOutcome = z.object({ batch: z.array(z.string()) });

const parse = (raw: string | undefined): unknown => {
  if (raw === undefined) return undefined;
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
};

/** A completed job's outcomes: an inbound batch's, one per event (its events counted as jobs were). */
function outcomesOf(jobId: string, value: unknown): FinishedJob[] {
  const batch = inboundBatchOutcome.safeParse(value);
  if (!batch.success) return [{ event: 'completed', jobId, value }];
  return batch.data.batch.map((outcome) => ({ event: 'completed', jobId, value: outcome }));
}

/**
 * Marks the end of a queue's event stream (the Redis stream BullMQ's QueueEvents reads: one
 * `completed`/`failed` entry per finished job, kept even for jobs removed on completion) and
 * returns a log of the jobs that finish from now on.
 */
export async function jobLog(h: Harness, queue: Queue): Promise<JobLog> {
  const key = defined(queue.keys.events, `${queue.name} events key`);
  const last = await h.redis.xrevrange(key, '+', '-', 'COUNT', 1);
  const [lastEntry] = last;
  const from = lastEntry ? `(${lastEntry[0]}` : '-';
  const log: JobLog = {
    async finished() {
      const entries = await h.redis.xrange(key, from, '+');
      const out: FinishedJob[] = [];
      for (const [, fields] of entries) {
        const f = streamFields(fields);
        const event = f.get('event');
        const jobId = f.get('jobId') ?? '';
        if (event === 'completed') out.push(...outcomesOf(jobId, parse(f.get('returnvalue'))));
        else if (event === 'failed') out.push({ event, jobId, value: f.get('failedReason') });
      }
      return out;
    },
    async completed(count, what = `${count} ${queue.name} job(s) completed`, timeoutMs = 10_000) {
      const done = await eventually(
        async () => {
          const values = (await log.finished()).filter((j) => j.event === 'completed').map((j) => j.value);
          return values.length >= count ? values : undefined;
        },
        timeoutMs,
        what,
      );
      return done;
    },
  };
  return log;
}

/**
 * Jobs of a queue that are not finished: waiting, running, or delayed (a retry's back-off, a job
 * put back until the line has a slot). Not counted: the next run of a job scheduler (a schedule,
 * not work in flight) and, when `timers` is set, every delayed job of the queue (the open waits'
 * own time-outs).
 */
async function unfinished(queue: Queue, timers: boolean): Promise<number> {
  const counts = await queue.getJobCounts('waiting', 'active', 'prioritized', 'waiting-children');
  const now = Object.values(counts).reduce((sum, n) => sum + n, 0);
  if (timers) return now;
  const delayed = await queue.getDelayed();
  return now + delayed.filter((job) => !job.repeatJobKey).length;
}

/**
 * Waits until nothing is left in flight for the harness portal: every queue idle (no job waiting,
 * running or waiting for a retry) and no callback in the outbox (a claimed batch stays there until
 * the portal answered). Schedules are not work in flight: the wait time-out queue's delayed jobs
 * (older releases' per-wait timers), the next run of a job scheduler (the maintenance sweep) and
 * the time-out drain's runs.
 * Use it AFTER a positive signal that the work under test happened.
 */
export async function settled(
  h: Harness,
  what = 'queues idle and callback outbox empty',
  timeoutMs = 10_000,
): Promise<void> {
  const queues = Object.values(h.rt.queues).filter((q): q is Queue => q instanceof Queue);
  let busy = '';
  try {
    await eventually(
      async () => {
        for (const queue of queues) {
          // The drain runs every second: a run in progress is a schedule, not work the test started.
          if (queue === h.rt.queues.waitDeadlines) continue;
          const n = await unfinished(queue, queue === h.rt.queues.waitTimeout);
          busy = `${queue.name}: ${n} unfinished job(s)`;
          if (n > 0) return false;
        }
        const pending = await h.rt.outbox.pendingCount(h.memberId);
        busy = `${pending} callback(s) in the outbox`;
        return pending === 0;
      },
      timeoutMs,
      what,
    );
  } catch (error) {
    throw new Error(`${error instanceof Error ? error.message : String(error)} (still busy: ${busy})`);
  }
}

/** Current value of a counter, summed over the series matching `labels`. */
export async function counterValue<T extends string>(
  counter: Counter<T>,
  labels: Partial<Record<T, string>> = {},
): Promise<number> {
  const { values } = await counter.get();
  const wanted = Object.entries(labels) as Array<[T, string]>;
  return values.filter((v) => wanted.every(([k, want]) => v.labels[k] === want)).reduce((sum, v) => sum + v.value, 0);
}

/** The events of a queue's inbound jobs in `states`, each with its job (a batch's events one by one). */
export async function inboundEvents(
  h: Harness,
  states: JobType[],
): Promise<Array<{ job: Job<InboundBatch | InboundJob>; event: InboundJob }>> {
  const jobs = await h.rt.queues.inbound.getJobs(states);
  return jobs.flatMap((job) => {
    const batch = inboundBatchSchema.safeParse(job.data);
    const events = batch.success ? batch.data.events : [job.data];
    return events.map((event) => ({ job, event: inboundJobSchema.parse(event) }));
  });
}
