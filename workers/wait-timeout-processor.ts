import type { Job } from 'bullmq';
import { isLastAttempt } from '../queues/job-retry';
import { type WaitTimeoutJob, waitTimeoutJobSchema } from '../queues/job-schemas';
import type { WaitService } from '../waits/wait-service';

/**
 * A wait's delayed time-out job, as releases before the deadline sets queued one per wait: the ones
 * still in the queue during and after a rolling deploy are honoured (ending a wait is exactly once
 * whoever does it). New waits are drained from their portal's deadline set instead.
 */
export function createWaitTimeoutProcessor(waits: Pick<WaitService, 'onTimeout'>) {
  return async function processWaitTimeout(job: Job<WaitTimeoutJob>): Promise<string> {
    const { memberId, waitId } = waitTimeoutJobSchema.parse(job.data);
    // Last attempt: end it even if the stage cannot be read (the portal may be down for long).
    await waits.onTimeout(memberId, waitId, { checkStage: !isLastAttempt(job) });
    return 'checked';
  };
}
