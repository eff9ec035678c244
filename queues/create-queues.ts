import { type ConnectionOptions, Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { digest } from '../lib/hash';
import { retryOptions } from './job-retry';
import {
  type ApiCallJob,
  type BitrixEventJob,
  type InboundJob,
  type MaintenanceJob,
  type PortalSetupJob,
  queueNames,
  type RunActionJob,
  type RunActionJobInput,
  type WaitTimeoutJob,
} from './job-schemas';

const DAY_S = 86400;

/** How often the cluster-wide maintenance job runs (overdue waits, callback index). */
export const MAINTENANCE_EVERY_MS = 60_000;

/** The app's BullMQ queues and the `enqueue*` functions doors and workers use. */
export function createQueues(connection: Redis, prefix = 'bull', onError: (error: Error) => void = () => undefined) {
  // ioredis' Redis is what BullMQ's ConnectionOptions accepts; its own type names a narrower union.
  const opts = { connection: connection as ConnectionOptions, prefix };
  const runAction = new Queue<RunActionJob>(queueNames.runAction, opts);
  const portalSetup = new Queue<PortalSetupJob>(queueNames.portalSetup, opts);
  const inbound = new Queue<InboundJob>(queueNames.inbound, opts);
  const bitrixEvent = new Queue<BitrixEventJob>(queueNames.bitrixEvent, opts);
  const waitTimeout = new Queue<WaitTimeoutJob>(queueNames.waitTimeout, opts);
  const maintenance = new Queue<MaintenanceJob>(queueNames.maintenance, opts);
  const all = [runAction, portalSetup, inbound, bitrixEvent, waitTimeout, maintenance];
  // Connection errors surface in callers (503 at the door) and in the log, not on the console.
  for (const queue of all) queue.on('error', onError);
  // Completed jobs stay for a day so a repeated call with the same id queues nothing new.
  const keep = { removeOnComplete: { age: DAY_S, count: 100_000 }, removeOnFail: { age: 7 * DAY_S } };

  return {
    runAction,
    portalSetup,
    inbound,
    bitrixEvent,
    waitTimeout,
    maintenance,
    /** Job id from the event token's hash: the portal repeating a call adds nothing. */
    async enqueueRunAction(input: RunActionJobInput) {
      const job: RunActionJob = {
        ...input,
        source: 'bitrix',
        timeoutDurationSec: input.timeoutDurationSec ?? 0,
      };
      return runAction.add('run', job, { ...keep, jobId: `act-${digest(job.eventToken)}`, ...retryOptions(8, 1000) });
    },
    /** A webhook-API send: its message id names the job, so a repeated enqueue adds nothing. */
    async enqueueApiCall(job: ApiCallJob) {
      return runAction.add('api', job, { ...keep, jobId: `api-${digest(job.messageId)}`, ...retryOptions(8, 1000) });
    },
    /** One setup per install or update event (`installKey` names it); registering twice is harmless (it updates). */
    async enqueuePortalSetup(job: PortalSetupJob, installKey: string) {
      const jobId = `setup-${digest(`${job.memberId}|${installKey}`)}`;
      return portalSetup.add('setup', job, { ...keep, jobId, ...retryOptions(10, 2000) });
    },
    async enqueueInbound(job: InboundJob, eventKey: string) {
      const removeOnComplete = { age: 7 * DAY_S, count: 200_000 };
      return inbound.add(job.kind, job, {
        ...keep,
        removeOnComplete,
        jobId: `in-${digest(eventKey)}`,
        ...retryOptions(8, 1000),
      });
    },
    async enqueueBitrixEvent(job: BitrixEventJob) {
      return bitrixEvent.add(job.event, job, {
        removeOnComplete: true,
        removeOnFail: { age: DAY_S },
        ...retryOptions(5, 1000),
      });
    },
    async enqueueWaitTimeout(job: WaitTimeoutJob, delayMs: number) {
      return waitTimeout.add('timeout', job, {
        removeOnComplete: true,
        removeOnFail: { age: 7 * DAY_S },
        jobId: `wt-${digest(`${job.memberId}|${job.waitId}`)}`,
        delay: Math.max(0, delayMs),
        ...retryOptions(10, 2000),
      });
    },
    /** The one cluster-wide schedule of sweeps (idempotent: every process may call it at start). */
    async scheduleMaintenance(everyMs = MAINTENANCE_EVERY_MS) {
      // Each run is kept an hour (for inspection), failures a week: no record piles up.
      const opts = { removeOnComplete: { age: 3600, count: 100 }, removeOnFail: { age: 7 * DAY_S } };
      await maintenance.upsertJobScheduler(
        'sweep',
        { every: everyMs },
        { name: 'sweep', data: { task: 'sweep' }, opts },
      );
    },
    async close() {
      await Promise.all(all.map((queue) => queue.close()));
    },
  };
}

export type Queues = ReturnType<typeof createQueues>;
