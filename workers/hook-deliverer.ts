import { postEvent } from '../hooks/hook-post';
import { DELIVERY_LOG_LENGTH, type DeliveryLogEntry, type HookStore, type Subscription } from '../hooks/hook-store';
import type { Clock } from '../lib/clock';
import { randomId } from '../lib/hash';
import type { Logger } from '../lib/logger';
import type { Metrics } from '../lib/metrics';
import { TrackedDrains } from '../lib/tracked-drains';
import { WakeableLoop } from '../lib/wakeable-loop';
import type { RedisClient } from '../redis/connect';
import { hookScripts } from '../redis/hook-scripts';
import type { RedisKeys } from '../redis/keys';
import { type HookEntry, hookBackoffMs, minStreamId, parseHookEntry } from './hook-entry';
import { closeWakeUps, subscribeToWakeUps } from './wake-subscription';

export interface HookDelivererOptions {
  redis: RedisClient;
  /** A connection of its own for the wake-up subscription. */
  subscriber: RedisClient;
  keys: RedisKeys;
  hooks: Pick<HookStore, 'portals' | 'list' | 'state' | 'urlRefusal' | 'dispatcher'>;
  log: Logger;
  metrics: Pick<Metrics, 'hookDeliveries' | 'hookEventsPending'>;
  clock: Clock;
  safetyPollMs?: number;
  leaseMs?: number;
  /** How long an event is retried before it is given up (default 24 h). */
  maxAgeMs?: number;
  /** How long a receiver may take to answer (default 5 s). */
  timeoutMs?: number;
}

/** Subscriptions one process delivers to at the same time. */
const MAX_AT_ONCE = 32;
/** Events one drain delivers before it lets the others have a turn. */
const EVENTS_PER_DRAIN = 100;

/**
 * Delivers each subscription's events in order: the subscription's cursor walks the portal's event
 * stream, one deliverer at a time (a lease), the next event only after the one before was delivered
 * or given up. It sleeps until an event is emitted (pub/sub), a retry is due, or the safety poll.
 */
export class HookDeliverer {
  private readonly draining = new TrackedDrains();
  private readonly loop: WakeableLoop;
  /** Look at every portal on the next pass (the timer fired, or wake() named none). */
  private fullScan = true;
  /** Portals an emitted event named since the last pass: only these are looked at, unless fullScan. */
  private readonly dirty = new Set<string>();
  /** When (injected clock) the next full pass is due: the earliest retry, or the safety poll. */
  private nextScanAt = 0;
  private readonly safetyPollMs: number;
  private readonly leaseMs: number;
  private readonly maxAgeMs: number;
  private readonly timeoutMs: number;

  constructor(private readonly o: HookDelivererOptions) {
    this.safetyPollMs = o.safetyPollMs ?? 2000;
    this.loop = new WakeableLoop({
      pass: () => this.startDueDrains(),
      fallbackMs: this.safetyPollMs,
      onError: (error) => this.o.log.error({ err: error }, 'hook deliverer loop failed'),
      onTimeout: () => {
        this.fullScan = true;
      },
      // Its drains end before the wake-up connection closes (never waits on a dead Redis).
      onStopped: () => this.idle().then(() => closeWakeUps(this.o.subscriber)),
    });
    // Renewed by every recorded step; one step takes at most the time-out and a DNS look-up.
    this.leaseMs = o.leaseMs ?? 30_000;
    this.maxAgeMs = o.maxAgeMs ?? 24 * 3600_000;
    this.timeoutMs = o.timeoutMs ?? 5000;
  }

  async start(): Promise<void> {
    if (this.loop.isRunning) return;
    await subscribeToWakeUps(this.o.subscriber, this.o.keys.hookWake(), {
      log: this.o.log,
      errorMessage: 'hook wake-up subscription error',
      onWake: (memberId) => this.wake(memberId),
    });
    this.loop.start();
  }

  /** Finishes the drains in flight and closes the wake-up connection; a second call resolves with the first. */
  stop(): Promise<void> {
    return this.loop.stop();
  }

  /**
   * Looks at the subscriptions now: of `memberId` only (an event was emitted there, a drain ended),
   * or all (a test moved the clock). A busy portal then costs no scan of every other one.
   */
  wake(memberId?: string): void {
    if (memberId === undefined) this.fullScan = true;
    else this.dirty.add(memberId);
    this.loop.wake();
  }

  /** Resolves when no delivery is in flight in this process (tests). */
  async idle(): Promise<void> {
    while (this.draining.size) await this.draining.settled();
  }

  /** Starts a drain for each subscription with a due event (of every portal, or the named ones); returns how long to sleep. */
  private async startDueDrains(): Promise<number> {
    const { redis, keys, hooks, clock } = this.o;
    const full = this.fullScan;
    const portals = full ? await hooks.portals() : [...this.dirty];
    this.fullScan = false;
    this.dirty.clear();
    let sleepMs = this.safetyPollMs;
    let pending = 0;
    for (const memberId of portals) {
      if (full) pending += await redis.xlen(keys.hookEvents(memberId));
      // Stopping: the pass under way takes no new lease (its drain would only give it back).
      if (!this.loop.isRunning) break;
      for (const subscription of await hooks.list(memberId)) {
        if (this.draining.has(subscription.id) || this.draining.size >= MAX_AT_ONCE) continue;
        const state = await hooks.state(memberId, subscription.id);
        if (!state) continue;
        const now = clock.now();
        if (state.nextAt > now) {
          sleepMs = Math.min(sleepMs, state.nextAt - now);
          continue;
        }
        const next = await redis.xrange(keys.hookEvents(memberId), `(${state.cursor}`, '+', 'COUNT', 1);
        if (next.length === 0) continue;
        if (!this.loop.isRunning) break;
        // Another process holds it: look again when its lease runs out (a dead holder's lapse), not
        // at once. An event emitted meanwhile wakes us to try again, but the holder delivers it (its
        // drain reads the stream at each step; a drain just ending wakes its own process).
        let lease: { token: string } | number;
        try {
          lease = await this.takeLease(subscription);
        } catch (error) {
          // One subscription's failed SET or PTTL (a time-out, READONLY): the others still go.
          this.o.log.error({ subscription: subscription.id, err: error }, 'hook lease failed');
          sleepMs = Math.min(sleepMs, this.safetyPollMs);
          continue;
        }
        if (typeof lease === 'number') {
          sleepMs = Math.min(sleepMs, lease);
          continue;
        }
        const { token } = lease;
        // More may be due once it ends (over a drain's share, emitted meanwhile, a retry time).
        this.draining.start(subscription.id, () => this.drain(subscription, token), {
          failed: (error) => this.o.log.error({ subscription: subscription.id, err: error }, 'hook drain failed'),
          ended: () => this.wake(memberId),
        });
      }
    }
    if (full) this.o.metrics.hookEventsPending.set(pending);
    const now = clock.now();
    this.nextScanAt = full ? now + sleepMs : Math.min(this.nextScanAt, now + sleepMs);
    return Math.max(1, this.nextScanAt - now);
  }

  /** Takes a subscription's delivery lease: its token, or how long (ms) another process still holds it. */
  private async takeLease(subscription: Subscription): Promise<{ token: string } | number> {
    const { redis, keys } = this.o;
    const lease = keys.hookLease(subscription.memberId, subscription.id);
    const token = randomId();
    for (let tries = 0; tries < 2; tries += 1) {
      if ((await redis.set(lease, token, 'PX', this.leaseMs, 'NX')) === 'OK') return { token };
      const pttl = await redis.pttl(lease);
      // Redis expires a key only after its last millisecond: 0 means "expires now", so wait one more.
      if (pttl >= 0) return pttl + 1;
      if (pttl === -1) {
        // No expiry (a crashed or older process, an operator): it gets the one every lease has, so
        // it lapses like a dead holder's. NX sets it only on a key still without one: a live
        // holder's lease (always set with PX) is never cut short. Not set (gone, or given one
        // meanwhile): looked at again. NX needs Redis 7 (the README's minimum): an older server
        // refuses it, and each pass finding such a lease would log "hook lease failed".
        if ((await redis.pexpire(lease, this.leaseMs, 'NX')) === 0) continue;
        this.o.log.warn(
          { subscription: subscription.id },
          'hook lease without expiry: given one, taken when it lapses',
        );
        return this.leaseMs + 1;
      }
      // -2: gone between the SET and the PTTL (lapsed or released): try once more at once.
    }
    return this.safetyPollMs;
  }

  /** Delivers a subscription's due events in order, under its lease (taken by the caller). */
  private async drain(subscription: Subscription, token: string): Promise<void> {
    const { redis, keys } = this.o;
    const m = subscription.memberId;
    const lease = keys.hookLease(m, subscription.id);
    try {
      for (let n = 0; n < EVENTS_PER_DRAIN && this.loop.isRunning; n += 1) {
        // Removed meanwhile (null): stop before calling anyone.
        const state = await this.o.hooks.state(m, subscription.id);
        if (!state || state.nextAt > this.o.clock.now()) return;
        const [raw] = await redis.xrange(keys.hookEvents(m), `(${state.cursor}`, '+', 'COUNT', 1);
        if (!raw) return;
        const entry = parseHookEntry(raw);
        const go = await this.deliver(subscription, token, entry, state.attempts);
        if (!go) return;
      }
    } finally {
      await hookScripts.releaseHookLease(redis, lease, token);
      // Stopping (a deploy), this process looks no more: another one takes over now, not at its
      // PTTL. Not after a failed drain: this process would wake itself too and drain again at once.
      if (!this.loop.isRunning) await redis.publish(keys.hookWake(), m);
      await this.trim(m);
    }
  }

  /** One event to one subscription; true when the drain may go on to the next event. */
  private async deliver(subscription: Subscription, token: string, entry: HookEntry, attempts: number) {
    const settle = (cursor: string, nextAttempts: number, nextAt: number, log: DeliveryLogEntry | null) =>
      hookScripts.settleHookDelivery(this.o.redis, this.settleKeys(subscription), {
        token,
        subscriptionId: subscription.id,
        leaseMs: this.leaseMs,
        cursor,
        attempts: nextAttempts,
        nextAt,
        logEntry: log ? JSON.stringify(log) : '',
        logLength: DELIVERY_LOG_LENGTH,
      });
    // Not one of the types it asked for: step over it.
    if (subscription.events.length && !subscription.events.some((type) => type === entry.type))
      return settle(entry.streamId, 0, 0, null);
    const result = await postEvent({
      url: subscription.url,
      body: entry.body,
      eventId: entry.eventId,
      secret: subscription.secret,
      timeoutMs: this.timeoutMs,
      clock: this.o.clock,
      refusal: (url) => this.o.hooks.urlRefusal(url),
      dispatcher: this.o.hooks.dispatcher,
    });
    const now = this.o.clock.now();
    const attempt = attempts + 1;
    const log = { eventId: entry.eventId, type: entry.type, httpStatus: result.httpStatus, error: result.error };
    const row = { ...log, attempt, at: now, durationMs: result.durationMs };
    if (result.ok) {
      this.o.metrics.hookDeliveries.inc({ outcome: 'delivered' });
      return settle(entry.streamId, 0, 0, { ...row, outcome: 'delivered', nextAt: 0 });
    }
    if (now - entry.at >= this.maxAgeMs) {
      this.o.metrics.hookDeliveries.inc({ outcome: 'failed' });
      this.o.log.error(
        { subscription: subscription.id, memberId: subscription.memberId, url: subscription.url, attempt, ...log },
        'outbound event given up after its retry budget',
      );
      return settle(entry.streamId, 0, 0, { ...row, outcome: 'failed', nextAt: 0 });
    }
    // The last try falls on the end of the budget; the events behind this one wait (in order).
    const nextAt = Math.min(now + hookBackoffMs(attempt), entry.at + this.maxAgeMs);
    this.o.metrics.hookDeliveries.inc({ outcome: 'retry' });
    this.o.log.warn(
      { subscription: subscription.id, attempt, nextAt, ...log },
      'outbound event not delivered; will retry',
    );
    await settle('', attempt, nextAt, { ...row, outcome: 'retry', nextAt });
    return false;
  }

  private settleKeys(subscription: Subscription) {
    const { keys } = this.o;
    const m = subscription.memberId;
    return {
      state: keys.hookState(m, subscription.id),
      lease: keys.hookLease(m, subscription.id),
      log: keys.hookLog(m, subscription.id),
      subscriptions: keys.hookSubscriptions(m),
    };
  }

  /** Drops the events every subscription of the portal is done with. */
  private async trim(memberId: string): Promise<void> {
    const subscriptions = await this.o.hooks.list(memberId);
    if (subscriptions.length === 0) return;
    const cursors = await Promise.all(subscriptions.map((s) => this.o.hooks.state(memberId, s.id)));
    const oldest = minStreamId(cursors.map((c) => c?.cursor ?? '0-0'));
    // MINID keeps the cursor's own entry: harmless, one entry.
    if (oldest !== '0-0') await this.o.redis.xtrim(this.o.keys.hookEvents(memberId), 'MINID', oldest);
  }
}
