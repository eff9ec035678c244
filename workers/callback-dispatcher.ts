import type { z } from 'zod';
import { ADDRESS_REFUSED, PORTAL_NOT_INSTALLED } from '../bitrix/bitrix-error';
import { type Callback, type CallbackOutbox, callbackSchema } from '../bitrix/callback-outbox';
import type { BatchOutcome, PortalClientFactory } from '../bitrix/portal-client';
import { MAX_BATCH } from '../bitrix/portal-client';
import type { Clock } from '../lib/clock';
import { classifyError } from '../lib/errors/classify-error';
import type { Logger } from '../lib/logger';
import type { Metrics } from '../lib/metrics';
import { parseStoredJson } from '../lib/stored-json';
import { DRAIN_RETRY_BASE_MS, TrackedDrains } from '../lib/tracked-drains';
import { WakeableLoop } from '../lib/wakeable-loop';
import { type ClaimedRow, callbackScripts } from '../redis/callback-scripts';
import type { RedisClient } from '../redis/connect';
import type { RedisKeys } from '../redis/keys';
import type { ActivityLog } from '../store/activity-log';
import { moveIndexEntry } from './callback-index-move';
import { callbackBackoffMs, classifyCallbackRow, setAsideUnreadable, type UnreadableSettlement } from './callback-row';
import { createKeptRowWarnings } from './kept-row-warnings';
import { type AddressRefusalNotes, createAddressRefusalNotes, refusalPauseMs } from './portal-address-refusal';
import { closeWakeUps, subscribeToWakeUps } from './wake-subscription';

export interface CallbackDispatcherOptions {
  redis: RedisClient;
  /** A connection of its own for the wake-up subscription (a subscribed connection runs nothing else). */
  subscriber: RedisClient;
  keys: RedisKeys;
  outbox: Pick<CallbackOutbox, 'markDue'>;
  bitrix: PortalClientFactory;
  log: Logger;
  metrics: Pick<Metrics, 'callbacks' | 'callbacksKeptUnreadable' | 'callbackBatches'>;
  clock: Clock;
  /** The settings page's activity log: a refused portal address is noted there. */
  activity: Pick<ActivityLog, 'noteError'>;
  /** Called when the portal says the workflow is gone (stage moved, BP stopped). */
  onWorkflowGone?: (memberId: string, callback: Callback) => Promise<void>;
  /** The slow safety poll: how long it sleeps when nothing wakes it. */
  safetyPollMs?: number;
  leaseMs?: number;
  /** How long a callback is retried before it is dropped (default a day). */
  maxAgeMs?: number;
  /**
   * Tests only (production never sets it): the form this worker reads outbox rows in (default
   * `callbackSchema`), so a test runs a newer release's worker beside this one's (a rolling deploy).
   */
  callbackSchema?: z.ZodType<Callback>;
}

/** Portals one process drains at the same time. */
const MAX_PORTALS_AT_ONCE = 32;

type Entry = { id: string; callback: Callback };
type Settlement = ReturnType<CallbackDispatcher['createSettlement']>;

/**
 * Drains the per-portal callback outboxes: up to 50 `bizproc.event.send` per `batch`, each portal
 * under its shared REST limit. Leases make it safe in any number of processes. It sleeps until a
 * callback is queued (pub/sub), the next retry is due, or the slow safety poll — never a busy loop.
 */
export class CallbackDispatcher {
  private readonly draining: TrackedDrains;
  private readonly loop: WakeableLoop;
  private readonly safetyPollMs: number;
  private readonly leaseMs: number;
  private readonly maxAgeMs: number;
  private readonly refusals: AddressRefusalNotes;
  private readonly rowSchema: z.ZodType<Callback>;
  private readonly aside: Parameters<typeof setAsideUnreadable>[0];

  constructor(private readonly o: CallbackDispatcherOptions) {
    this.refusals = createAddressRefusalNotes(o);
    this.safetyPollMs = o.safetyPollMs ?? 5000;
    // A portal whose drain failed (Redis refusing a write) is tried again shortly, not at the safety
    // poll: its new results write no index behind its due entry, so no wake-up would bring them.
    this.draining = new TrackedDrains({ clock: o.clock, baseMs: DRAIN_RETRY_BASE_MS, maxMs: this.safetyPollMs });
    this.loop = new WakeableLoop({
      pass: () => this.startDueDrains(),
      fallbackMs: this.safetyPollMs,
      onError: (error) => this.o.log.error({ err: error }, 'callback dispatcher loop failed'),
      // Its drains end before the wake-up connection closes (never waits on a dead Redis).
      onStopped: () => this.draining.settled().then(() => closeWakeUps(this.o.subscriber)),
    });
    // Renewed while a batch is in flight (holdLease), so it can be short: a crashed process's
    // callbacks go out again within it.
    this.leaseMs = o.leaseMs ?? 10_000;
    this.maxAgeMs = o.maxAgeMs ?? 24 * 3600_000;
    this.rowSchema = o.callbackSchema ?? callbackSchema;
    this.aside = { clock: o.clock, log: o.log, metrics: o.metrics, warnings: createKeptRowWarnings() };
  }

  async start(): Promise<void> {
    if (this.loop.isRunning) return;
    await subscribeToWakeUps(this.o.subscriber, this.o.keys.callbackWake(), {
      log: this.o.log,
      errorMessage: 'callback wake-up subscription error',
      onWake: () => this.wake(),
    });
    this.loop.start();
  }

  /** Finishes the drains in flight; the subscription connection is closed (never waits on a dead Redis); once. */
  stop(): Promise<void> {
    return this.loop.stop();
  }

  /** Looks at the outboxes now (a callback was queued, or a test moved the clock). */
  wake(): void {
    this.loop.wake();
  }

  /** Starts a drain for each due portal not already draining; returns how long to sleep. */
  private async startDueDrains(): Promise<number> {
    const index = this.o.keys.callbackPortals();
    const now = this.o.clock.now();
    // Portals drain side by side, each at its own pace: a slow or dead portal holds up only itself.
    const due = await this.o.redis.zrangebyscore(index, '-inf', now, 'LIMIT', 0, 64);
    for (const memberId of due) {
      if (!this.draining.mayStart(memberId, now) || this.draining.size >= MAX_PORTALS_AT_ONCE) continue;
      // Looked at again once the drain is over (one that failed: after its pause), whether it sent
      // or not: more may be due (over 50, or queued meanwhile), and the index entry it left may be
      // due now with nobody told (a drain that found nothing claimable — another process held the
      // rows — re-indexes a result queued during it, which wrote no index behind the portal's
      // confirmed mark or whose `ZADD LT` changed nothing, so published no wake-up).
      this.draining.start(memberId, () => this.drainOnce(memberId), {
        failed: (error) => this.o.log.error({ memberId, err: error }, 'callback drain failed'),
        ended: () => this.wake(),
      });
    }
    // Sleep until the next due time (a portal still draining wakes the loop when its drain ends)
    // or a failed drain's pause ends.
    const [, firstDue] = await this.o.redis.zrangebyscore(index, `(${now}`, '+inf', 'WITHSCORES', 'LIMIT', 0, 1);
    return this.draining.sleepMs(now, firstDue, this.safetyPollMs);
  }

  /** Re-indexes portals whose outbox is not empty (covers a crash between enqueue and index). */
  async reindexPortals(memberIds: string[]): Promise<void> {
    for (const memberId of memberIds) {
      const first = await this.o.redis.zrange(this.o.keys.callbackDue(memberId), 0, 0, 'WITHSCORES');
      if (first.length === 2) await this.o.outbox.markDue(memberId, Number(first[1]));
    }
  }

  /** Sends one batch for a portal (or settles rows it cannot read); true when it claimed anything. */
  async drainOnce(memberId: string): Promise<boolean> {
    const { redis, keys, clock } = this.o;
    const pendingKey = keys.callbackPending(memberId);
    const dueKey = keys.callbackDue(memberId);
    const claimed = await callbackScripts.claimCallbacks(
      redis,
      pendingKey,
      dueKey,
      clock.now(),
      MAX_BATCH,
      this.leaseMs,
    );
    if (claimed.length === 0) {
      const empty = { acks: [], reschedules: [], retries: [] };
      await moveIndexEntry(this.o, memberId, await callbackScripts.settleCallbacks(redis, pendingKey, dueKey, empty));
      return false;
    }
    // Held while this process works on the batch; a dead process's lease lapses within leaseMs.
    const releaseLease = this.holdLease(
      memberId,
      claimed.map((c) => c.id),
    );
    let settle: Settlement;
    try {
      settle = await this.sendBatch(memberId, claimed);
    } finally {
      await releaseLease();
    }
    await moveIndexEntry(this.o, memberId, await callbackScripts.settleCallbacks(redis, pendingKey, dueKey, settle));
    return true;
  }

  /** Sends one claimed batch and decides each row's fate (ack, reschedule or retry); the caller settles them. */
  private async sendBatch(memberId: string, claimed: ClaimedRow[]) {
    const settle = this.createSettlement(memberId);
    // Each row read alone: thrown for the batch, one this version cannot read would fail the batch
    // every lease period for good, and the rows beside it with it (setAsideUnreadable says what then).
    const entries: Entry[] = [];
    const unreadable: typeof claimed = [];
    for (const c of claimed) {
      const callback = parseStoredJson(this.rowSchema, c.json);
      if (callback) entries.push({ id: c.id, callback });
      else unreadable.push(c);
    }
    if (entries.length > 0) await this.sendEntries(memberId, entries, settle);
    // After the REST call, which can outlast the recheck period (the portal's REST limit): a next
    // look stamped before it would be due at once.
    for (const row of unreadable) setAsideUnreadable(this.aside, { memberId, row, maxAgeMs: this.maxAgeMs }, settle);
    return settle;
  }

  /** The batch call of the rows it read, each one's fate decided into `settle`. */
  private async sendEntries(memberId: string, entries: Entry[], settle: Settlement): Promise<void> {
    const commands = Object.fromEntries(
      entries.map((e, i) => {
        const { eventToken, returnValues, logMessage } = e.callback;
        const params = { event_token: eventToken, return_values: returnValues, log_message: logMessage };
        return [`c${i}`, ['bizproc.event.send', params] as [string, Record<string, unknown>]];
      }),
    );
    let outcome: BatchOutcome | null = null;
    try {
      this.o.metrics.callbackBatches.inc();
      outcome = await this.o.bitrix(memberId).batch(commands);
    } catch (error) {
      const failure = classifyError(error);
      if (failure.code === PORTAL_NOT_INSTALLED) {
        // Uninstalled: nobody is left to tell; drop rather than retry for a day. Any other refusal
        // of the whole batch (a lapsed subscription, ACCESS_DENIED) may pass: retried for a day.
        for (const entry of entries) settle.acks.push(entry.id);
        this.o.metrics.callbacks.inc({ outcome: 'dropped' }, entries.length);
        this.o.log.warn(
          { memberId, count: entries.length, code: failure.code },
          'callbacks dropped: the portal uninstalled the app',
        );
      } else if (failure.code === ADDRESS_REFUSED) {
        // The portal's name answered a private address: it may answer public again (a resolver's
        // sinkhole, a botched record), so kept and tried again slowly (a DNS lookup each) up to a day.
        const pauseMs = refusalPauseMs(Math.max(...entries.map((e) => e.callback.attempts)) + 1);
        const kept = entries.filter((e) => settle.retry(e, failure.code, pauseMs, 'dropped_address_refused'));
        if (kept.length > 0) await this.refusals.refused(memberId, error, { what: 'callbacks', pauseMs });
        if (kept.length < entries.length) await this.refusals.dropped(memberId, 'callbacks', '');
      } else {
        for (const entry of entries) settle.retry(entry, failure.code, failure.retryAfterMs);
        this.o.log.warn({ memberId, code: failure.code }, 'callback batch failed; will retry');
      }
    }
    const gone: Callback[] = [];
    for (const [i, entry] of (outcome ? entries : []).entries()) {
      const error = outcome?.errors[`c${i}`];
      const decision = classifyCallbackRow(error);
      if (decision === 'retry') {
        settle.retry(entry, error?.code ?? 'retry', undefined);
        continue;
      }
      settle.acks.push(entry.id);
      this.o.metrics.callbacks.inc({ outcome: decision });
      if (decision === 'workflow_gone') {
        gone.push(entry.callback);
        this.o.log.info({ memberId, waitId: entry.callback.waitId }, 'workflow already ended; callback not needed');
      } else if (decision === 'rejected') {
        this.o.log.error(
          { memberId, code: error?.code, description: error?.description },
          'portal rejected a callback',
        );
      }
    }
    for (const callback of gone) {
      await this.o.onWorkflowGone?.(memberId, callback).catch((error: unknown) => {
        this.o.log.error({ memberId, err: error }, 'workflow-gone handling failed');
      });
    }
  }

  /** Renews a claimed batch's lease every leaseMs/3 until released (the renewal in flight included). */
  private holdLease(memberId: string, ids: string[]): () => Promise<void> {
    const dueKey = this.o.keys.callbackDue(memberId);
    let renewing: Promise<unknown> = Promise.resolve();
    const timer = setInterval(() => {
      renewing = callbackScripts
        .extendCallbackLease(this.o.redis, dueKey, ids, this.o.clock.now() + this.leaseMs)
        .catch((error: unknown) => this.o.log.warn({ memberId, err: error }, 'callback lease not renewed'));
    }, this.leaseMs / 3);
    return async () => {
      clearInterval(timer);
      await renewing;
    };
  }

  /** Acks, reschedules (rows kept for a newer worker) and retries of one batch; the retry budget is time, not attempts. */
  private createSettlement(memberId: string) {
    const acks: string[] = [];
    const reschedules: UnreadableSettlement['reschedules'] = [];
    const retries: Array<{ id: string; json: string; dueMs: number }> = [];
    /** Queues the entry's next try; false when its budget is spent and it was dropped (counted as `droppedAs`). */
    const retry = (entry: Entry, reason: string, retryAfterMs: number | undefined, droppedAs = 'dropped'): boolean => {
      const now = this.o.clock.now();
      // A portal down for half an hour still gets its answers; after the budget, drop and say so.
      if (now - entry.callback.queuedAt > this.maxAgeMs) {
        this.o.log.error(
          { memberId, reason, queuedAt: entry.callback.queuedAt },
          'callback dropped after its retry budget',
        );
        this.o.metrics.callbacks.inc({ outcome: droppedAs });
        acks.push(entry.id);
        return false;
      }
      const attempts = entry.callback.attempts + 1;
      const dueMs = now + (retryAfterMs ?? callbackBackoffMs(attempts));
      retries.push({ id: entry.id, json: JSON.stringify({ ...entry.callback, attempts }), dueMs });
      return true;
    };
    return { acks, reschedules, retries, retry };
  }
}
