import { type ConnectionOptions, type Processor, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { retryBackoffStrategy } from '../queues/job-retry';
import { queueNames } from '../queues/job-schemas';
import { createBitrixEventProcessor } from '../workers/bitrix-event-processor';
import { CallbackDispatcher } from '../workers/callback-dispatcher';
import { createInboundProcessor } from '../workers/inbound-processor';
import { createMaintenanceProcessor } from '../workers/maintenance-processor';
import { createPortalSetupProcessor } from '../workers/portal-setup-processor';
import { createRunActionProcessor } from '../workers/run-action-processor';
import { createWaitTimeoutProcessor } from '../workers/wait-timeout-processor';
import type { Runtime } from './create-runtime';

export interface StartWorkersOptions {
  /** A dedicated connection factory (BullMQ workers and the dispatcher's subscription each need their own). */
  connection: () => Redis;
  concurrency?: number;
  queuePrefix?: string;
  /** How often the cluster-wide sweeps run (default a minute). */
  maintenanceEveryMs?: number;
}

/** Starts every worker of this process: the queues' processors, the callback dispatcher and the sweep schedule. */
export async function startWorkers(rt: Runtime, options: StartWorkersOptions) {
  const prefix = options.queuePrefix ?? 'bull';
  const concurrency = options.concurrency ?? 20;
  const make = <T>(name: string, processor: Processor<T>, n = concurrency) => {
    // ioredis' Redis is what BullMQ's ConnectionOptions accepts; its own type names a narrower union.
    const connection = options.connection() as ConnectionOptions;
    const settings = { backoffStrategy: retryBackoffStrategy };
    const worker = new Worker<T>(name, processor, { connection, prefix, concurrency: n, settings });
    worker.on('failed', (job, error) =>
      rt.log.warn({ queue: name, jobId: job?.id, attempts: job?.attemptsMade, err: error }, 'job attempt failed'),
    );
    worker.on('error', (error) => rt.log.error({ queue: name, err: error }, 'worker error'));
    return worker;
  };
  const { waits } = rt;
  const dispatcher = new CallbackDispatcher({
    ...rt,
    subscriber: options.connection(),
    onWorkflowGone: (memberId, callback) => waits.onWorkflowGone(memberId, callback),
  });
  const inboundDeps = {
    ...rt,
    takeReply: waits.takeReply,
    onStatus: waits.onStatus,
  };
  const workers = [
    make(queueNames.runAction, createRunActionProcessor(rt)),
    make(queueNames.portalSetup, createPortalSetupProcessor(rt), 2),
    make(queueNames.inbound, createInboundProcessor(inboundDeps)),
    make(queueNames.waitTimeout, createWaitTimeoutProcessor(waits)),
    make(queueNames.bitrixEvent, createBitrixEventProcessor(waits), 5),
    make(queueNames.maintenance, createMaintenanceProcessor({ ...rt, callbacks: dispatcher }), 1),
  ];
  await dispatcher.start();
  await rt.queues.scheduleMaintenance(options.maintenanceEveryMs);
  return {
    workers,
    dispatcher,
    async close() {
      await dispatcher.stop();
      await Promise.all(workers.map((w) => w.close()));
    },
  };
}
