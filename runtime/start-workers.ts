import { hostname } from 'node:os';
import { type ConnectionOptions, type Processor, Worker } from 'bullmq';
import { assertQueuePrefixFits } from '../queues/create-queues';
import { claimInboundRun, markInboundRan, readRunClaim } from '../queues/enqueue-inbound-once';
import { retryBackoffStrategy } from '../queues/job-retry';
import { queueNames } from '../queues/job-schemas';
import type { RedisClient } from '../redis/connect';
import type { Line } from '../store/line-store';
import { claimStorageFormat } from '../waits/storage-format';
import { createBitrixEventProcessor } from '../workers/bitrix-event-processor';
import { CallbackDispatcher } from '../workers/callback-dispatcher';
import { HookDeliverer } from '../workers/hook-deliverer';
import { createInboundJobProcessor } from '../workers/inbound-batch';
import { createInboundProcessor } from '../workers/inbound-processor';
import { createMaintenanceProcessor } from '../workers/maintenance-processor';
import { OpenLineDispatcher } from '../workers/open-line-dispatcher';
import { createOpenLineOperatorProcessor } from '../workers/open-line-operator-processor';
import { createPortalSetupProcessor } from '../workers/portal-setup-processor';
import { createRunActionProcessor } from '../workers/run-action-processor';
import { createStalledRunReporter, STALLED_FOR_GOOD } from '../workers/stalled-run';
import { createWaitDeadlinesProcessor } from '../workers/wait-deadlines-processor';
import { createWaitTimeoutProcessor } from '../workers/wait-timeout-processor';
import { createWindowRefusalHandler } from '../workers/window-refusal';
import type { Runtime } from './create-runtime';

export interface StartWorkersOptions {
  /** A dedicated connection factory (BullMQ workers and the dispatcher's subscription each need their own). */
  connection: () => RedisClient;
  /**
   * The wake-up subscriptions' connection factory (default `connection`): one whose disconnect()
   * does not wait for the socket to close (createSubscriberRedis), or a stop while Redis is down
   * holds the process for ioredis' 2 s close wait.
   */
  subscriberConnection?: () => RedisClient;
  /** Jobs in flight per worker of the other queues (default 20; some have their own fixed figure). */
  concurrency?: number;
  /** Robot/activity jobs in flight (default the WORKER_RUN_ACTION_CONCURRENCY setting, 64). */
  runActionConcurrency?: number;
  /** BullMQ prefix (default: the runtime's queues' own, i.e. QUEUE_PREFIX unless the runtime was given another). */
  queuePrefix?: string;
  /** How often the cluster-wide sweeps run (default a minute). */
  maintenanceEveryMs?: number;
  /** How often the time-out drain runs (default a second). */
  deadlineDrainEveryMs?: number;
  /** First retry pause of an open-line chat the portal did not take (default a second). */
  openLineRetryBaseMs?: number;
}

/**
 * How a crashed worker's jobs come back (BullMQ's defaults, 30 s and 30 s, left them 40-60 s).
 * A live worker renews its jobs' locks at most lockDuration/2 apart for as long as a job runs (checked
 * in bullmq 6.7: LockManager starts unless `skipLockRenewal`; lockRenewTime defaults to lockDuration/2),
 * so a slow provider call (up to its 15 s time-out) keeps its lock. A dead worker's lock lapses at
 * most lockDuration after its last renewal; the stalled check, every stalledInterval in one of
 * the live workers, puts the job back in the queue on its first pass after that: ≤ 5 + 2 = 7 s.
 * A live worker's renewal may still come up to 2.5 s late (a busy event loop, a Redis blip).
 * A job is failed only after it stalled more than 3 times (a job that keeps killing its worker).
 */
const crashRecovery = { lockDuration: 5_000, stalledInterval: 2_000, maxStalledCount: 3 } as const;

/** Starts every worker of this process: the queues' processors, the callback dispatcher, the outbound-event deliverer and the sweep schedule. */
export async function startWorkers(rt: Runtime, options: StartWorkersOptions) {
  const prefix = options.queuePrefix ?? rt.queues.prefix;
  assertQueuePrefixFits(rt.redis, prefix);
  // Before any job: workers of another wait storage layout must not run beside these.
  await claimStorageFormat(rt.redis, rt.keys.storageFormat());
  const concurrency = options.concurrency ?? 20;
  const workerName = `${hostname()}:${process.pid}`;
  const make = <T>(name: string, processor: Processor<T>, n = concurrency) => {
    // ioredis' Redis is what BullMQ's ConnectionOptions accepts; its own type names a narrower union.
    const connection = options.connection() as ConnectionOptions;
    const settings = { backoffStrategy: retryBackoffStrategy };
    // The process's name goes on each job it takes (`processedBy`): which process ran or held a job.
    const worker = new Worker<T>(name, processor, {
      connection,
      prefix,
      concurrency: n,
      settings,
      name: workerName,
      ...crashRecovery,
    });
    worker.on('failed', (job, error) =>
      rt.log.warn({ queue: name, jobId: job?.id, attempts: job?.attemptsMade, err: error }, 'job attempt failed'),
    );
    worker.on('error', (error) => rt.log.error({ queue: name, err: error }, 'worker error'));
    return worker;
  };
  const { waits } = rt;
  const subscriber = options.subscriberConnection ?? options.connection;
  const dispatcher = new CallbackDispatcher({
    ...rt,
    subscriber: subscriber(),
    onWorkflowGone: (memberId, callback) => waits.onWorkflowGone(memberId, callback),
  });
  const deliverer = new HookDeliverer({ ...rt, subscriber: subscriber() });
  const openLines = new OpenLineDispatcher({
    ...rt,
    outbox: rt.openLineOutbox,
    subscriber: subscriber(),
    retryBaseMs: options.openLineRetryBaseMs,
    gapTimeoutMs: rt.config.OPEN_LINE_GAP_TIMEOUT_MS,
    inboundJobState: (jobId) => rt.queues.inbound.getJobState(jobId),
    inboundRunOf: (eventKey) => readRunClaim(rt, eventKey),
  });
  const inboundDeps = {
    ...rt,
    openLineRelay: rt.ordinary,
    takeReply: waits.takeReply,
    waitEndedBy: (memberId: string, messageId: string) => waits.store.waitEndedBy(memberId, messageId),
    onStatus: waits.onStatus,
    onWindowRefused: createWindowRefusalHandler(rt),
    onTemplatesChanged: (wabaId: string) => rt.templates.onAccountChanged(wabaId),
    onLineTemplatesChanged: async (line: Line) => void (await rt.templates.list(line, { refresh: true })),
  };
  // Sends spend most of their time waiting on Redis and the provider: more of them in flight put
  // more commands in each socket write (redis/write-coalescing.ts; writes were a quarter of the
  // worker's CPU per sent message at 20, issue 10). Each line's limit is kept by its Redis window.
  const runAction = make(
    queueNames.runAction,
    createRunActionProcessor(rt),
    options.runActionConcurrency ?? rt.config.WORKER_RUN_ACTION_CONCURRENCY,
  );
  const reportStalledRun = createStalledRunReporter(rt);
  // A call failed for stalling too often never reaches the processor's error path: answer it here.
  runAction.on('stalled', (jobId) => {
    void (async () => {
      const job = await rt.queues.runAction.getJob(jobId);
      if (job?.failedReason === STALLED_FOR_GOOD) await reportStalledRun(job.data);
    })().catch((error: unknown) => rt.log.error({ jobId, err: error }, 'could not answer a stalled robot call'));
  });
  const workers = [
    runAction,
    make(queueNames.portalSetup, createPortalSetupProcessor(rt), 2),
    make(
      queueNames.inbound,
      createInboundJobProcessor(createInboundProcessor(inboundDeps), {
        log: rt.log,
        claimRun: (eventKey, jobId) => claimInboundRun(rt, eventKey, jobId),
        markRan: (eventKey, jobId) => markInboundRan(rt, eventKey, jobId),
      }),
      concurrency,
    ),
    make(queueNames.waitTimeout, createWaitTimeoutProcessor(waits)),
    make(queueNames.waitDeadlines, createWaitDeadlinesProcessor(waits), 1),
    make(queueNames.bitrixEvent, createBitrixEventProcessor(waits), 5),
    make(
      queueNames.maintenance,
      createMaintenanceProcessor({ ...rt, callbacks: dispatcher, openLineChats: openLines, switchOffChecks: rt }),
      1,
    ),
    make(
      queueNames.openLineOperator,
      createOpenLineOperatorProcessor({ ...rt, openLineGapTimeoutMs: rt.config.OPEN_LINE_GAP_TIMEOUT_MS }),
      10,
    ),
  ];
  await dispatcher.start();
  await deliverer.start();
  await openLines.start();
  await rt.queues.scheduleMaintenance(options.maintenanceEveryMs);
  await rt.queues.scheduleDeadlineDrain(options.deadlineDrainEveryMs);
  return {
    workers,
    dispatcher,
    deliverer,
    openLines,
    async close() {
      await Promise.all([dispatcher.stop(), deliverer.stop(), openLines.stop()]);
      await Promise.all(workers.map((w) => w.close()));
    },
  };
}
