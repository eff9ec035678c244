import type { Job } from 'bullmq';
import { isLastAttempt } from '../queues/job-retry';
import { type WaitTimeoutJob, waitTimeoutJobSchema } from '../queues/job-schemas';
import type { WaitService } from '../waits/wait-service';

/** The durable timer of a wait (a delayed job survives restarts; no in-process timers). */
export function createWaitTimeoutProcessor(waits: Pick<WaitService, 'onTimeout'>) {
  return async function processWaitTimeout(job: Job<WaitTimeoutJob>): Promise<string> {
    const { memberId, waitId } = waitTimeoutJobSchema.parse(job.data);
    // Last attempt: end it even if the stage cannot be read (the portal may be down for long).
    await waits.onTimeout(memberId, waitId, { checkStage: !isLastAttempt(job) });
    return 'checked';
  };
}
