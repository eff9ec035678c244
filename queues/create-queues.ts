import { Queue, type ConnectionOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import { digest } from '../lib/hash';
import { queueNames, type BitrixEventJob, type InboundJob, type PortalSetupJob, type RunActionJob, type RunActionJobInput, type WaitTimeoutJob } from './job-schemas';

const DAY_S = 86400;

/** The app's BullMQ queues and the `enqueue*` functions doors and workers use. */
export function createQueues(connection: Redis, prefix = 'bull', onError: (error: Error) => void = () => undefined) {
  const opts = { connection: connection as ConnectionOptions, prefix };
  const runAction = new Queue<RunActionJob>(queueNames.runAction, opts);
  const portalSetup = new Queue<PortalSetupJob>(queueNames.portalSetup, opts);
  const inbound = new Queue<InboundJob>(queueNames.inbound, opts);
  const bitrixEvent = new Queue<BitrixEventJob>(queueNames.bitrixEvent, opts);
  const waitTimeout = new Queue<WaitTimeoutJob>(queueNames.waitTimeout, opts);
  // Connection errors surface in callers (503 at the door) and in the log, not on the console.
  for (const queue of [runAction, portalSetup, inbound, bitrixEvent, waitTimeout]) queue.on('error', onError);
  // Completed jobs stay for a day so a repeated call with the same id queues nothing new.
  const keep = { removeOnComplete: { age: DAY_S, count: 100_000 }, removeOnFail: { age: 7 * DAY_S } };

  return {
    runAction,
    portalSetup,
    inbound,
    bitrixEvent,
    waitTimeout,
    /** Job id from the event token's hash: the portal repeating a call adds nothing. */
    async enqueueRunAction(input: RunActionJobInput) {
      const job: RunActionJob = { ...input, timeoutDurationSec: input.timeoutDurationSec ?? 0 };
      return runAction.add('run', job, { ...keep, jobId: `act-${digest(job.eventToken)}`, attempts: 8, backoff: { type: 'exponential', delay: 1000 } });
    },
    /** One setup per install or update event (`installKey` names it); registering twice is harmless (it updates). */
    async enqueuePortalSetup(job: PortalSetupJob, installKey: string) {
      return portalSetup.add('setup', job, { ...keep, jobId: `setup-${digest(`${job.memberId}|${installKey}`)}`, attempts: 10, backoff: { type: 'exponential', delay: 2000 } });
    },
    async enqueueInbound(job: InboundJob, eventKey: string) {
      return inbound.add(job.kind, job, { ...keep, removeOnComplete: { age: 7 * DAY_S, count: 200_000 }, jobId: `in-${digest(eventKey)}`, attempts: 8, backoff: { type: 'exponential', delay: 1000 } });
    },
    async enqueueBitrixEvent(job: BitrixEventJob) {
      return bitrixEvent.add(job.event, job, { removeOnComplete: true, removeOnFail: { age: DAY_S }, attempts: 5, backoff: { type: 'exponential', delay: 1000 } });
    },
    async enqueueWaitTimeout(job: WaitTimeoutJob, delayMs: number) {
      return waitTimeout.add('timeout', job, { removeOnComplete: true, removeOnFail: { age: 7 * DAY_S }, jobId: `wt-${digest(`${job.memberId}|${job.waitId}`)}`, delay: Math.max(0, delayMs), attempts: 10, backoff: { type: 'exponential', delay: 2000 } });
    },
    async close() {
      await Promise.all([runAction.close(), portalSetup.close(), inbound.close(), bitrixEvent.close(), waitTimeout.close()]);
    },
  };
}

export type Queues = ReturnType<typeof createQueues>;
