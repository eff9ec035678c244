import type { Job } from 'bullmq';
import { type WaitDeadlinesJob, waitDeadlinesJobSchema } from '../queues/job-schemas';
import type { WaitService } from '../waits/wait-service';

/**
 * The time-out drain, one run about every second (a job scheduler: one run per period whatever
 * the number of worker processes): ends the waits whose deadline passed, read from the portals'
 * deadline sets. Durable like the waits themselves: no in-process timer, no job per wait.
 */
export function createWaitDeadlinesProcessor(waits: Pick<WaitService, 'drainDeadlines'>) {
  return async function processWaitDeadlines(job: Job<WaitDeadlinesJob>): Promise<string> {
    waitDeadlinesJobSchema.parse(job.data);
    return `due ${await waits.drainDeadlines()}`;
  };
}
