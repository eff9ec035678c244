import type { InboundJob } from '../../queues/job-schemas';
import type { Harness } from './harness';

/**
 * The harness's inbound queue as the door's `queues` dependency, with `afterCommit` run once an
 * event's batch job is queued (before the door goes on to its seen marker): a test's hook there.
 */
export function inboundQueuesWith(h: Harness, afterCommit: (jobId: string) => unknown) {
  return {
    joinInbound: () => {
      const slot = h.rt.queues.joinInbound();
      return {
        jobId: slot.jobId,
        cancel: () => slot.cancel(),
        commit: async (data: InboundJob) => {
          await slot.commit(data);
          await afterCommit(slot.jobId);
        },
      };
    },
  };
}
