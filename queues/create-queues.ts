import { type ConnectionOptions, Queue } from 'bullmq';
import { hasHashTag } from '../config/redis-url';
import { digest } from '../lib/hash';
import { isCluster, type RedisClient } from '../redis/connect';
import { InboundBatcher } from './inbound-batcher';
import { isStillComing, retryOptions } from './job-retry';
import {
  type ApiCallJob,
  type BitrixEventJob,
  INBOUND_BATCH_MAX,
  type InboundBatch,
  type InboundJob,
  type MaintenanceJob,
  type OpenLineOperatorJob,
  type PortalSetupJob,
  queueNames,
  type RunActionJob,
  type RunActionJobInput,
  SWITCH_OFF_CHECK,
  type SwitchOffCheckJob,
  type WaitDeadlinesJob,
  type WaitTimeoutJob,
} from './job-schemas';

const DAY_S = 86400;

/** How often the cluster-wide maintenance job runs (overdue waits, callback index). */
export const MAINTENANCE_EVERY_MS = 60_000;
/** How often the time-out drain runs: a wait ends within about this much of its deadline. */
export const DEADLINE_DRAIN_EVERY_MS = 1_000;
/** A schedule's runs: a few kept briefly for inspection, failures a week (at most 1,000). */
const scheduledRun = { removeOnComplete: { age: 3600, count: 20 }, removeOnFail: { age: 7 * DAY_S, count: 1000 } };
/** The drain runs every second: its last few runs are enough to see that it runs. */
const drainRun = { removeOnComplete: { age: 60, count: 3 }, removeOnFail: { age: 7 * DAY_S, count: 1000 } };

/**
 * BullMQ's scripts touch several keys of a queue at once; on a Redis Cluster that works only when
 * they share a slot, which a `{hash tag}` in the prefix guarantees (it also keeps a job's queue and
 * its events together). A cluster connection with an untagged prefix is refused before any job is lost to CROSSSLOT.
 */
export function assertQueuePrefixFits(connection: RedisClient, prefix: string): void {
  if (isCluster(connection) && !hasHashTag(prefix))
    throw new Error(`queue prefix "${prefix}" has no {hash tag}: on a Redis Cluster use e.g. "{bull}" (QUEUE_PREFIX)`);
}

/** The run-action job of a robot/activity call (one per event token; kept a day after it completes). */
export function runActionJobId(eventToken: string): string {
  return `act-${digest(eventToken)}`;
}

/** The app's BullMQ queues and the `enqueue*` functions doors and workers use. */
export function createQueues(
  connection: RedisClient,
  prefix = 'bull',
  onError: (error: Error) => void = () => undefined,
) {
  assertQueuePrefixFits(connection, prefix);
  // ioredis' Redis is what BullMQ's ConnectionOptions accepts; its own type names a narrower union.
  const opts = { connection: connection as ConnectionOptions, prefix };
  const runAction = new Queue<RunActionJob>(queueNames.runAction, opts);
  const portalSetup = new Queue<PortalSetupJob | SwitchOffCheckJob>(queueNames.portalSetup, opts);
  // Batches of events (older releases queued one event per job; workers take both).
  const inbound = new Queue<InboundBatch | InboundJob>(queueNames.inbound, opts);
  const bitrixEvent = new Queue<BitrixEventJob>(queueNames.bitrixEvent, opts);
  const waitTimeout = new Queue<WaitTimeoutJob>(queueNames.waitTimeout, opts);
  // A run a second would fill the default 10,000-entry events stream: nobody listens to this one's events.
  const waitDeadlines = new Queue<WaitDeadlinesJob>(queueNames.waitDeadlines, {
    ...opts,
    streams: { events: { maxLen: 50 } },
  });
  const maintenance = new Queue<MaintenanceJob>(queueNames.maintenance, opts);
  const openLineOperator = new Queue<OpenLineOperatorJob>(queueNames.openLineOperator, opts);
  const all = [runAction, portalSetup, inbound, bitrixEvent, waitTimeout, waitDeadlines, maintenance, openLineOperator];
  // Connection errors surface in callers (503 at the door) and in the log, not on the console.
  for (const queue of all) queue.on('error', onError);
  // Completed jobs stay for a day so a repeated call with the same id queues nothing new.
  const keep = {
    removeOnComplete: { age: DAY_S, count: 100_000 },
    removeOnFail: { age: 7 * DAY_S, count: 100_000 },
  };

  // The worker claims each event's run in its seen marker before it runs (claimInboundRun): a
  // re-delivery finds that, so a completed job is kept an hour to look at, not the days Meta may
  // retry (it was 7 days). Removed at most 100 per completion: the first completions after an
  // upgrade take the older ones away a little at a time, never in one long script (a lower count
  // would do that: BullMQ's count trim has no limit). The count stays the ceiling.
  const inboundOpts = Object.assign(
    {},
    keep,
    { removeOnComplete: { age: 3600, count: 200_000, limit: 100 } },
    retryOptions(8, 1000),
  );
  const inboundBatcher = new InboundBatcher({
    maxEvents: INBOUND_BATCH_MAX,
    add: (events, jobId) => {
      const data: InboundBatch = { kind: 'batch', events };
      return inbound.add('batch', data, Object.assign({ jobId }, inboundOpts));
    },
  });

  return {
    /** The BullMQ prefix these queues live under (workers must take the same). */
    prefix,
    runAction,
    portalSetup,
    inbound,
    bitrixEvent,
    waitTimeout,
    waitDeadlines,
    maintenance,
    openLineOperator,
    /** Job id from the event token's hash: the portal repeating a call adds nothing. */
    async enqueueRunAction(input: RunActionJobInput) {
      const job: RunActionJob = {
        ...input,
        source: 'bitrix',
        timeoutDurationSec: input.timeoutDurationSec ?? 0,
      };
      return runAction.add('run', job, { ...keep, jobId: runActionJobId(job.eventToken), ...retryOptions(8, 1000) });
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
    /**
     * After any change of a portal's lines (page or CLI): re-registers its robots and activities
     * (`bizproc.robot.update` / `bizproc.activity.update`) so every `line` select lists the lines
     * connected now. `changedAt` (the caller's clock) names the change: each change gets its run.
     */
    async enqueueLinesChanged(memberId: string, changedAt: number) {
      const jobId = `setup-${digest(`${memberId}|lines|${changedAt}`)}`;
      const job: PortalSetupJob = { memberId, reason: 'lines' };
      return portalSetup.add('setup', job, { ...keep, jobId, ...retryOptions(10, 2000) });
    },
    /**
     * The check after a switch-off event (SwitchOffCheckJob): one per event, its id naming the
     * attachment's check sequence, so a later event's check is never deduplicated against an older
     * one still running (that one is superseded). `lifo`: ahead of the setup jobs waiting on this
     * queue (BullMQ runs jobs without a priority before prioritized ones, so a priority would not
     * do it). A few tries; removed when done.
     */
    async enqueueSwitchOffCheck(job: SwitchOffCheckJob) {
      const jobId = switchOffCheckJobId(job);
      return portalSetup.add(SWITCH_OFF_CHECK, job, {
        removeOnComplete: true,
        removeOnFail: true,
        lifo: true,
        jobId,
        ...retryOptions(6, 2000),
      });
    },
    /**
     * Whether that check still waits or runs (a check done is removed): its question may come
     * before a change the app made since, its write after.
     */
    async switchOffCheckPending(job: SwitchOffCheckJob): Promise<boolean> {
      return isStillComing(await portalSetup.getJobState(switchOffCheckJobId(job)));
    },
    /** A place in the inbound batch being gathered (its job id is known now, the event given later). */
    joinInbound: () => inboundBatcher.join(),
    async enqueueBitrixEvent(job: BitrixEventJob) {
      return bitrixEvent.add(job.event, job, {
        removeOnComplete: true,
        removeOnFail: { age: DAY_S, count: 100_000 },
        ...retryOptions(5, 1000),
      });
    },
    /** One job per operator message (the portal repeating the event adds nothing). */
    async enqueueOpenLineOperator(job: OpenLineOperatorJob) {
      const jobId = openLineOperatorJobId(job.memberId, job.openLineId, job.portalMessageId);
      return openLineOperator.add('operator', job, { ...keep, jobId, ...retryOptions(8, 1000) });
    },
    /** The one cluster-wide schedule of sweeps (idempotent: every process may call it at start). */
    async scheduleMaintenance(everyMs = MAINTENANCE_EVERY_MS) {
      const data: MaintenanceJob = { task: 'sweep' };
      await maintenance.upsertJobScheduler('sweep', { every: everyMs }, { name: 'sweep', data, opts: scheduledRun });
    },
    /** The one cluster-wide time-out drain (idempotent: every process may call it at start). */
    async scheduleDeadlineDrain(everyMs = DEADLINE_DRAIN_EVERY_MS) {
      const data: WaitDeadlinesJob = { task: 'drain' };
      await waitDeadlines.upsertJobScheduler('drain', { every: everyMs }, { name: 'drain', data, opts: drainRun });
    },
    async close() {
      await Promise.all(all.map((queue) => queue.close()));
    },
  };
}

export type Queues = ReturnType<typeof createQueues>;

/** The event with its key: the worker claims the event's run in its seen marker (claimInboundRun). */
export function withEventKey(job: InboundJob, eventKey: string): InboundJob {
  return job.eventKey === eventKey ? job : Object.assign({}, job, { eventKey });
}

/** The job id of an operator message: a repeated portal event queues nothing new. */
export function openLineOperatorJobId(memberId: string, openLineId: string, portalMessageId: string): string {
  return `olop-${digest(`${memberId}|${openLineId}|${portalMessageId}`)}`;
}

/** The job id of a switch-off check: one per (portal, open line, attachment, check sequence). */
export function switchOffCheckJobId(
  job: Pick<SwitchOffCheckJob, 'memberId' | 'openLineId' | 'lineId' | 'attachedAt' | 'seq'>,
) {
  return `swoff-${digest(`${job.memberId}|${job.openLineId}|${job.lineId}|${job.attachedAt}|${job.seq}`)}`;
}
