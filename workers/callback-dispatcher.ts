import type { Redis } from 'ioredis';
import type { RedisKeys } from '../redis/keys';
import { scripts } from '../redis/scripts';
import { callbackSchema, type Callback, type CallbackOutbox } from '../bitrix/callback-outbox';
import type { BatchOutcome } from '../bitrix/portal-client';
import { MAX_BATCH, type PortalClientFactory } from '../bitrix/portal-client';
import { BitrixError, isRetryableBitrixCode, isWorkflowGone } from '../bitrix/bitrix-error';
import type { Logger } from '../lib/logger';
import type { Metrics } from '../lib/metrics';

export interface CallbackDispatcherOptions {
  redis: Redis;
  keys: RedisKeys;
  outbox: CallbackOutbox;
  bitrix: PortalClientFactory;
  log: Logger;
  metrics: Metrics;
  /** Called when the portal says the workflow is gone (stage moved, BP stopped). */
  onWorkflowGone?: (memberId: string, callback: Callback) => Promise<void>;
  idleMs?: number;
  leaseMs?: number;
  /** How long a callback is retried before it is dropped (default a day). */
  maxAgeMs?: number;
}

/** Portals one process drains at the same time. */
const MAX_PORTALS_AT_ONCE = 32;

const backoffMs = (attempts: number) => Math.min(60_000, 500 * 2 ** Math.min(attempts, 7));

/**
 * Drains the per-portal callback outboxes: up to 50 `bizproc.event.send` per `batch`, each portal
 * under its shared REST limit. Leases make it safe to run in any number of processes.
 */
export class CallbackDispatcher {
  private running = false;
  private readonly draining = new Map<string, Promise<boolean>>();
  private loop: Promise<void> | null = null;
  private lastSweep = 0;
  private readonly idleMs: number;
  private readonly leaseMs: number;
  private readonly maxAgeMs: number;

  constructor(private readonly o: CallbackDispatcherOptions) {
    this.idleMs = o.idleMs ?? 20;
    this.leaseMs = o.leaseMs ?? 120_000;
    this.maxAgeMs = o.maxAgeMs ?? 24 * 3600_000;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  private async run(): Promise<void> {
    while (this.running) {
      try {
        await this.sweepIfDue();
        // Portals drain side by side, each at its own pace: a slow or dead portal holds up only itself.
        const due = await this.o.redis.zrangebyscore(this.o.keys.callbackPortals(), '-inf', Date.now(), 'LIMIT', 0, 64);
        for (const memberId of due) {
          if (this.draining.has(memberId) || this.draining.size >= MAX_PORTALS_AT_ONCE) continue;
          const drain = this.drainOnce(memberId)
            .catch((error: unknown) => { this.o.log.error({ memberId, err: error instanceof Error ? error.message : String(error) }, 'callback drain failed'); return false; })
            .finally(() => this.draining.delete(memberId));
          this.draining.set(memberId, drain);
        }
      } catch (error) {
        this.o.log.error({ err: error }, 'callback dispatcher loop failed');
      }
      await new Promise((resolve) => setTimeout(resolve, this.idleMs));
    }
    await Promise.all(this.draining.values());
  }

  /** Re-indexes portals whose outbox is not empty (covers a crash between enqueue and index). */
  private async sweepIfDue(): Promise<void> {
    if (Date.now() - this.lastSweep < 5000) return;
    this.lastSweep = Date.now();
    const members = await this.o.redis.smembers(this.o.keys.portalIndex());
    for (const memberId of members) {
      const first = await this.o.redis.zrange(this.o.keys.callbackDue(memberId), 0, 0, 'WITHSCORES');
      if (first.length === 2) await this.o.outbox.markDue(memberId, Number(first[1]));
    }
  }

  /** Sends one batch for a portal; true when it sent anything. */
  async drainOnce(memberId: string): Promise<boolean> {
    const { redis, keys } = this.o;
    const pendingKey = keys.callbackPending(memberId);
    const dueKey = keys.callbackDue(memberId);
    const claimed = await scripts.claimCallbacks(redis, pendingKey, dueKey, Date.now(), MAX_BATCH, this.leaseMs);
    if (claimed.length === 0) {
      await this.reindex(memberId, await scripts.settleCallbacks(redis, pendingKey, dueKey, [], []));
      return false;
    }
    const entries = claimed.map((c) => ({ id: c.id, callback: callbackSchema.parse(JSON.parse(c.json)) }));
    const commands = Object.fromEntries(entries.map((e, i) => [`c${i}`, ['bizproc.event.send', { event_token: e.callback.eventToken, return_values: e.callback.returnValues, log_message: e.callback.logMessage }] as [string, Record<string, unknown>]]));
    const acks: string[] = [];
    const retries: Array<{ id: string; json: string; dueMs: number }> = [];
    const gone: Callback[] = [];
    const retry = (entry: (typeof entries)[number], reason: string) => {
      // The budget is time, not attempts: a portal down for half an hour still gets its answers.
      if (Date.now() - entry.callback.queuedAt > this.maxAgeMs) {
        this.o.log.error({ memberId, reason, queuedAt: entry.callback.queuedAt }, 'callback dropped after its retry budget');
        this.o.metrics.callbacks.inc({ outcome: 'dropped' });
        acks.push(entry.id);
        return;
      }
      const attempts = entry.callback.attempts + 1;
      retries.push({ id: entry.id, json: JSON.stringify({ ...entry.callback, attempts }), dueMs: Date.now() + backoffMs(attempts) });
    };
    let outcome: BatchOutcome | null = null;
    try {
      this.o.metrics.callbackBatches.inc();
      outcome = await this.o.bitrix(memberId).batch(commands);
    } catch (error) {
      const reason = error instanceof BitrixError ? error.code : String(error);
      if (reason === 'PORTAL_NOT_INSTALLED') {
        // Uninstalled: nobody is left to tell; drop rather than retry for a day.
        for (const entry of entries) acks.push(entry.id);
        this.o.metrics.callbacks.inc({ outcome: 'dropped' }, entries.length);
        this.o.log.warn({ memberId, count: entries.length }, 'callbacks dropped: portal not installed');
      } else {
        for (const entry of entries) retry(entry, reason);
        this.o.log.warn({ memberId, reason }, 'callback batch failed; will retry');
      }
    }
    for (const [i, entry] of (outcome ? entries : []).entries()) {
      const error = outcome?.errors[`c${i}`];
      if (!error) {
        acks.push(entry.id);
        this.o.metrics.callbacks.inc({ outcome: 'sent' });
      } else if (isWorkflowGone(error.code, error.description)) {
        acks.push(entry.id);
        gone.push(entry.callback);
        this.o.metrics.callbacks.inc({ outcome: 'workflow_gone' });
        this.o.log.info({ memberId, waitId: entry.callback.waitId }, 'workflow already ended; callback not needed');
      } else if (isRetryableBitrixCode(error.code, 200)) {
        retry(entry, error.code);
      } else {
        // ACCESS_DENIED and other permanent answers: retrying cannot help.
        acks.push(entry.id);
        this.o.metrics.callbacks.inc({ outcome: 'rejected' });
        this.o.log.error({ memberId, code: error.code, description: error.description }, 'portal rejected a callback');
      }
    }
    for (const callback of gone) {
      await this.o.onWorkflowGone?.(memberId, callback).catch((error: unknown) => this.o.log.error({ memberId, err: error instanceof Error ? error.message : String(error) }, 'workflow-gone handling failed'));
    }
    await this.reindex(memberId, await scripts.settleCallbacks(redis, pendingKey, dueKey, acks, retries));
    return true;
  }

  private async reindex(memberId: string, earliest: number): Promise<void> {
    if (earliest < 0) await this.o.redis.zrem(this.o.keys.callbackPortals(), memberId);
    else await this.o.redis.zadd(this.o.keys.callbackPortals(), earliest, memberId);
    // A callback queued while we settled must not wait for the sweep: look once more.
    const first = await this.o.redis.zrange(this.o.keys.callbackDue(memberId), 0, 0, 'WITHSCORES');
    if (first.length === 2) await this.o.outbox.markDue(memberId, Number(first[1]));
  }
}
