import type { Job } from 'bullmq';
import { waitTimeoutJobSchema, type WaitTimeoutJob } from '../queues/job-schemas';
import type { WaitService } from '../waits/wait-service';

/** The durable timer of a wait (a delayed job survives restarts; no in-process timers). */
export function createWaitTimeoutProcessor(waits: WaitService) {
  return async function processWaitTimeout(job: Job<WaitTimeoutJob>): Promise<string> {
    const { memberId, waitId } = waitTimeoutJobSchema.parse(job.data);
    // Last attempt: end it even if the stage cannot be read (the portal may be down for long).
    const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    await waits.onTimeout(memberId, waitId, { checkStage: !lastAttempt });
    return 'checked';
  };
}
