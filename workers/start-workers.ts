import { Worker, type ConnectionOptions, type Processor } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Runtime } from '../runtime/create-runtime';
import { queueNames } from '../queues/job-schemas';
import { createRunActionProcessor } from './run-action-processor';
import { createPortalSetupProcessor } from './portal-setup-processor';
import { createInboundProcessor } from './inbound-processor';
import { CallbackDispatcher } from './callback-dispatcher';
import { createWaitTimeoutProcessor } from './wait-timeout-processor';
import { createBitrixEventProcessor } from './bitrix-event-processor';
import { createWaitService } from '../waits/wait-service';
import { WaitSweeper } from './wait-sweeper';

export interface StartWorkersOptions {
  /** A dedicated blocking connection factory (BullMQ workers each need their own). */
  connection: () => Redis;
  concurrency?: number;
  queuePrefix?: string;
}

/** Starts every worker of this process: queues and the callback dispatcher. */
export function startWorkers(rt: Runtime, options: StartWorkersOptions) {
  const prefix = options.queuePrefix ?? 'bull';
  const concurrency = options.concurrency ?? 20;
  const make = <T>(name: string, processor: Processor<T>, n = concurrency) => {
    const worker = new Worker<T>(name, processor, { connection: options.connection() as ConnectionOptions, prefix, concurrency: n });
    worker.on('failed', (job, error) => rt.log.warn({ queue: name, jobId: job?.id, attempts: job?.attemptsMade, err: error.message }, 'job attempt failed'));
    worker.on('error', (error) => rt.log.error({ queue: name, err: error.message }, 'worker error'));
    return worker;
  };
  const waits = createWaitService(rt);
  const workers = [
    make(queueNames.runAction, createRunActionProcessor(rt, waits)),
    make(queueNames.portalSetup, createPortalSetupProcessor(rt), 2),
    make(queueNames.inbound, createInboundProcessor(rt, { takeReply: (line, message) => waits.takeReply(line, message), onStatus: (line, status) => waits.onStatus(line, status) })),
    make(queueNames.waitTimeout, createWaitTimeoutProcessor(waits)),
    make(queueNames.bitrixEvent, createBitrixEventProcessor(waits), 5),
  ];
  const dispatcher = new CallbackDispatcher({
    redis: rt.redis, keys: rt.keys, outbox: rt.outbox, bitrix: rt.bitrix, log: rt.log, metrics: rt.metrics,
    onWorkflowGone: (memberId, callback) => waits.onWorkflowGone(memberId, callback),
  });
  dispatcher.start();
  const sweeper = new WaitSweeper(rt, waits);
  sweeper.start();
  return {
    workers,
    dispatcher,
    waits,
    async close() {
      await dispatcher.stop();
      await sweeper.stop();
      await Promise.all(workers.map((w) => w.close()));
    },
  };
}
