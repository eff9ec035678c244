import { Writable } from 'node:stream';
import { Redis } from 'ioredis';
import { postBatch } from '../../../bitrix/batch-post';
import { BitrixError } from '../../../bitrix/bitrix-error';
import { CallbackOutbox } from '../../../bitrix/callback-outbox';
import type { BatchCommands, BatchOutcome, PortalClient } from '../../../bitrix/portal-client';
import { createOutboundAgent } from '../../../lib/connect-guard';
import { randomId } from '../../../lib/hash';
import { createLogger } from '../../../lib/logger';
import { createMetrics } from '../../../lib/metrics';
import type { RedisClient } from '../../../redis/connect';
import { createKeys } from '../../../redis/keys';
import { ActivityLog } from '../../../store/activity-log';
import { CallbackDispatcher } from '../../../workers/callback-dispatcher';
import { REFUSAL_PAUSE_MS } from '../../../workers/portal-address-refusal';
import { eventually } from '../../helpers/harness';
import { createManualClock } from '../../helpers/manual-clock';
import { counterValue } from '../../helpers/signals';

/** The dispatcher over a real Redis, a hand-moved clock and a portal that answers what the test says. */
function setup(options: { leaseMs?: number; dispatcherRedis?: (redis: Redis) => RedisClient } = {}) {
  const url = process.env.TEST_REDIS_URL;
  if (!url) throw new Error('TEST_REDIS_URL is not set: run through jest');
  // disconnectTimeout 0: see callbackTestEnv (a socket already lost would hold the worker 2 s).
  const redis = new Redis(url, { disconnectTimeout: 0 });
  const subscriber = new Redis(url, { disconnectTimeout: 0 });
  const keys = createKeys(`cbd${randomId(4).replace(/[^a-zA-Z0-9]/g, 'x')}`);
  const clock = createManualClock();
  const outbox = new CallbackOutbox(redis, keys, clock);
  const metrics = createMetrics();
  const activity = new ActivityLog(redis, keys);
  // Warnings and errors, as lines of JSON (what an operator's log shows).
  const logged: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      logged.push(String(chunk));
      done();
    },
  });
  const batches: BatchCommands[] = [];
  const answers: Array<(commands: BatchCommands) => BatchOutcome | Promise<BatchOutcome>> = [];
  const client = (memberId: string): PortalClient => ({
    memberId,
    call: async () => Promise.reject(new Error('not used')),
    async batch(commands) {
      batches.push(commands);
      const answer =
        answers.shift() ??
        ((c: BatchCommands) => ({ results: Object.fromEntries(Object.keys(c).map((k) => [k, true])), errors: {} }));
      return answer(commands);
    },
  });
  const bitrix = Object.assign(client, { probe: async () => ({ installed: true }) });
  const dispatcher = new CallbackDispatcher({
    redis: options.dispatcherRedis?.(redis) ?? redis,
    subscriber,
    keys,
    outbox,
    bitrix,
    clock,
    metrics,
    log: createLogger('warn', sink),
    activity,
    safetyPollMs: 60_000,
    leaseMs: options.leaseMs,
  });
  const pending = () => outbox.pendingCount('m1');
  const dueAt = async () => Number((await redis.zrange(keys.callbackDue('m1'), 0, 0, 'WITHSCORES'))[1]);
  const close = async () => {
    await dispatcher.stop();
    redis.disconnect();
    subscriber.disconnect();
  };
  return { redis, keys, clock, outbox, metrics, activity, logged, batches, answers, dispatcher, pending, dueAt, close };
}

/**
 * The same real connection, but the first end of an index move (callback-moved-2.lua: the script
 * given a moving mark 'p:d:…' and four arguments) is refused (a connection blip; or the process died there).
 */
function firstMoveEndFails(redis: Redis): RedisClient {
  let failed = false;
  return new Proxy(redis, {
    get(target, name, receiver) {
      const value: unknown = Reflect.get(target, name, receiver);
      if (name !== 'evalsha' || typeof value !== 'function') return value;
      return async (...args: unknown[]) => {
        if (failed || args.length !== 8 || !String(args[4]).startsWith('p:d:')) return value.apply(target, args);
        failed = true;
        throw new Error('connection reset');
      };
    },
  });
}

/**
 * The connect-time guard's own refusal: `batch` posted through a guarded pool whose injected
 * resolver answers the portal's name with 127.0.0.1 (nothing is connected to). The next answer
 * (the default: every row sent) is the portal's once the name answers public again.
 */
const rebinding = createOutboundAgent({ allowPrivate: false, resolve: async () => ['127.0.0.1'] });
const refusedBatch = async (): Promise<BatchOutcome> => {
  await postBatch('http://portal.test:9/rest/', 'token', { c0: 'app.info' }, rebinding);
  throw new Error('the guard let the batch connect');
};
afterAll(async () => {
  await rebinding.close();
});

const callback = { eventToken: 'wf|A1|tok.sig', returnValues: { status: 'sent' }, logMessage: 'ok' };
const rowError =
  (code: string) =>
  (c: BatchCommands): BatchOutcome => ({
    results: {},
    errors: Object.fromEntries(Object.keys(c).map((k) => [k, { code, description: code }])),
  });

describe('callback dispatcher (real Redis, manual clock)', () => {
  let t: ReturnType<typeof setup>;
  beforeEach(() => {
    t = setup();
  });
  afterEach(async () => {
    await t.close();
  });

  it('a rate-limited row is retried on its back-off schedule, moved by the clock, not by sleeping', async () => {
    await t.outbox.enqueue('m1', callback);
    t.answers.push(rowError('QUERY_LIMIT_EXCEEDED'));
    expect(await t.dispatcher.drainOnce('m1')).toBe(true);
    expect(await t.pending()).toBe(1);
    expect(await t.dueAt()).toBe(t.clock.now() + 1000);
    // Not due yet: nothing is claimed.
    expect(await t.dispatcher.drainOnce('m1')).toBe(false);
    t.clock.advance(1000);
    expect(await t.dispatcher.drainOnce('m1')).toBe(true);
    expect(await t.pending()).toBe(0);
    expect(t.batches).toHaveLength(2);
    expect(await counterValue(t.metrics.callbacks, { outcome: 'sent' })).toBe(1);
  });

  it("a failed batch waits for the portal's own Retry-After", async () => {
    await t.outbox.enqueue('m1', callback);
    t.answers.push(() => {
      throw new BitrixError('QUERY_LIMIT_EXCEEDED', 'slow down', 503, 'batch', { retryAfterMs: 30_000 });
    });
    await t.dispatcher.drainOnce('m1');
    expect(await t.dueAt()).toBe(t.clock.now() + 30_000);
  });

  it('an uninstalled portal: the callbacks are dropped, not retried for a day', async () => {
    await t.outbox.enqueue('m1', callback);
    t.answers.push(() => {
      throw new BitrixError('PORTAL_NOT_INSTALLED', 'gone', 0, 'batch');
    });
    await t.dispatcher.drainOnce('m1');
    expect(await t.pending()).toBe(0);
    expect(await counterValue(t.metrics.callbacks, { outcome: 'dropped' })).toBe(1);
  });

  it("the portal's address refused, then public again: the callback waits minutes, then is delivered; nothing dropped", async () => {
    await t.outbox.enqueue('m1', callback);
    t.answers.push(refusedBatch);
    await t.dispatcher.drainOnce('m1');
    expect(await t.pending()).toBe(1);
    expect(await t.dueAt()).toBe(t.clock.now() + REFUSAL_PAUSE_MS);
    // Its own message, naming the host and the address it answered.
    expect(t.logged.map((line) => JSON.parse(line))).toContainEqual(
      expect.objectContaining({
        msg: "portal's address refused when connecting; will retry",
        host: 'portal.test',
        address: '127.0.0.1',
      }),
    );
    expect(await t.activity.recentErrors('m1')).toEqual([
      { code: 'portal_address_refused', lineId: '', action: 'callbacks', at: t.clock.now() },
    ]);
    // Not polled: nothing is claimed before the pause is over.
    t.clock.advance(REFUSAL_PAUSE_MS - 1);
    expect(await t.dispatcher.drainOnce('m1')).toBe(false);
    // The name answers public again (the next answer is the portal's own).
    t.clock.advance(1);
    expect(await t.dispatcher.drainOnce('m1')).toBe(true);
    expect(await t.pending()).toBe(0);
    expect(await counterValue(t.metrics.callbacks, { outcome: 'sent' })).toBe(1);
    expect(await counterValue(t.metrics.callbacks, { outcome: 'dropped' })).toBe(0);
    expect(await counterValue(t.metrics.callbacks, { outcome: 'dropped_address_refused' })).toBe(0);
  });

  it("the portal's address refused for more than a day: the callback is dropped, counted apart, the activity log says so", async () => {
    const callbackQueuedAt = t.clock.now();
    await t.outbox.enqueue('m1', callback);
    let tries = 0;
    while (t.clock.now() - callbackQueuedAt <= 24 * 3600_000) {
      t.answers.push(refusedBatch);
      expect(await t.dispatcher.drainOnce('m1')).toBe(true);
      tries += 1;
      t.clock.set(await t.dueAt());
    }
    // Growing pauses (5, 10, 20, 40 minutes, then hourly): a day is some 27 lookups, not thousands.
    expect(tries).toBeLessThan(30);
    expect(await t.pending()).toBe(1);
    t.answers.push(refusedBatch);
    await t.dispatcher.drainOnce('m1');
    expect(await t.pending()).toBe(0);
    expect(await counterValue(t.metrics.callbacks, { outcome: 'dropped_address_refused' })).toBe(1);
    expect(await counterValue(t.metrics.callbacks, { outcome: 'dropped' })).toBe(0);
    expect((await t.activity.recentErrors('m1')).map((e) => e.code)).toContain('portal_address_refused_dropped');
  });

  it('any other refusal of the whole batch (a lapsed subscription) is retried, not dropped', async () => {
    await t.outbox.enqueue('m1', callback);
    t.answers.push(() => {
      throw new BitrixError('PAYMENT_REQUIRED', 'subscription expired', 402, 'batch');
    });
    await t.dispatcher.drainOnce('m1');
    expect(await t.pending()).toBe(1);
    expect(await t.dueAt()).toBe(t.clock.now() + 1000);
  });

  it('a callback still failing after its day-long budget is dropped', async () => {
    await t.outbox.enqueue('m1', callback);
    t.clock.advance(24 * 3600_000 + 1);
    t.answers.push(rowError('QUERY_LIMIT_EXCEEDED'));
    await t.dispatcher.drainOnce('m1');
    expect(await t.pending()).toBe(0);
    expect(await counterValue(t.metrics.callbacks, { outcome: 'dropped' })).toBe(1);
  });

  it('a batch call slower than the lease keeps it (renewed while in flight): nobody else claims it', async () => {
    const slow = setup({ leaseMs: 90 });
    try {
      await slow.outbox.enqueue('m1', callback);
      let answer: () => void = () => undefined;
      const portalAnswers = new Promise<void>((resolve) => {
        answer = resolve;
      });
      slow.answers.push(async (c) => {
        await portalAnswers;
        return { results: Object.fromEntries(Object.keys(c).map((k) => [k, true])), errors: {} };
      });
      const draining = slow.dispatcher.drainOnce('m1');
      await eventually(() => slow.batches.length === 1, 5000, 'the batch call');
      // The lease as claimed has run out by the clock; the renewal (real time, every lease/3) moves it on.
      slow.clock.advance(1000);
      await eventually(async () => (await slow.dueAt()) > slow.clock.now(), 5000, 'the lease renewed');
      expect(await slow.dispatcher.drainOnce('m1')).toBe(false);
      answer();
      expect(await draining).toBe(true);
      expect(await slow.pending()).toBe(0);
      expect(slow.batches).toHaveLength(1);
    } finally {
      await slow.close();
    }
  });

  it('wakes when a callback is queued (pub/sub), with a one-minute safety poll', async () => {
    await t.dispatcher.start();
    await t.outbox.enqueue('m1', callback);
    await eventually(() => t.batches.length === 1, 5000, 'the batch sent after the wake-up');
    await eventually(async () => (await t.pending()) === 0, 5000, 'outbox settled');
  });

  it("a callback behind a wait's callback whose index write failed is sent without the maintenance sweep", async () => {
    await t.dispatcher.start();
    // wait-end-10.lua queued a wait's callback; the wait service's index write then failed.
    const at = t.clock.now();
    const ended = { eventToken: 'wf|W1|tok.sig', returnValues: { status: 'timeout' }, logMessage: 'timeout' };
    await t.redis.hset(t.keys.callbackPending('m1'), 'w1', JSON.stringify({ ...ended, attempts: 0, queuedAt: at }));
    await t.redis.zadd(t.keys.callbackDue('m1'), at, 'w1');
    await t.outbox.enqueue('m1', callback);
    await eventually(async () => (await t.pending()) === 0, 5000, 'both callbacks sent (the safety poll is a minute)');
    expect(t.batches.flatMap((b) => Object.keys(b))).toHaveLength(2);
  });

  it("a drain whose move's end failed after it moved the index: the next result is sent without the maintenance sweep", async () => {
    const blip = setup({ dispatcherRedis: firstMoveEndFails });
    try {
      await blip.outbox.enqueue('m1', callback);
      // Sent; the portal leaves the index; then the end of the move (the mark's delete) is refused.
      await expect(blip.dispatcher.drainOnce('m1')).rejects.toThrow(/connection reset/);
      expect(blip.batches).toHaveLength(1);
      await blip.dispatcher.start();
      blip.clock.advance(5);
      await blip.outbox.enqueue('m1', { ...callback, eventToken: 'wf|A2|tok.sig' });
      expect(await blip.redis.zscore(blip.keys.callbackPortals(), 'm1')).not.toBeNull();
      await eventually(async () => (await blip.pending()) === 0, 5000, 'sent (the safety poll is a minute)');
      expect(blip.batches).toHaveLength(2);
    } finally {
      await blip.close();
    }
  });
});
