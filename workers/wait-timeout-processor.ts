import type { Job } from 'bullmq';
import { waitTimeoutJobSchema, type WaitTimeoutJob } from '../queues/job-schemas';
import type { WaitService } from '../waits/wait-service';

/** The durable timer of a wait (a delayed job survives restarts; no in-process timers). */
export function createWaitTimeoutProcessor(waits: WaitService) {
  return async function processWaitTimeout(job: Job<WaitTimeoutJob>): Promise<string> {
    const { memberId, waitId } = waitTimeoutJobSchema.parse(job.data);
    await waits.onTimeout(memberId, waitId);
    return 'checked';
  };
}
