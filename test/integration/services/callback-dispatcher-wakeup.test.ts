import { callbackId } from '../../../bitrix/callback-outbox';
import { createLogger, type Logger } from '../../../lib/logger';
import { callbackScripts } from '../../../redis/callback-scripts';
import type { RedisClient } from '../../../redis/connect';
import { callbackTestEnv } from '../../helpers/callback-dispatcher-env';
import { eventually } from '../../helpers/harness';

/**
 * A drain that finds nothing claimable (another process holds the portal's due rows) while a result
 * is queued: the result writes no index behind the portal's confirmed mark (or its `ZADD LT` changes
 * nothing, the portal being due already), so no wake-up is published; the drain re-indexes it, and
 * the dispatcher must look again then — not at its safety poll (a minute here; 5 s in production,
 * which showed as idle seconds in the bench).
 */
describe('callback dispatcher: a drain that claimed nothing', () => {
  const envs: Array<ReturnType<typeof callbackTestEnv>> = [];
  afterAll(() => {
    for (const env of envs) env.close();
  });

  it('sends a result queued during it at once, not at the safety poll', async () => {
    const env = callbackTestEnv('cdw');
    envs.push(env);
    const { redis, keys, clock, outbox, sent } = env;
    const callback = (n: number) => ({
      eventToken: `wf|A${n}|tok.sig`,
      returnValues: { n: String(n) },
      logMessage: 'ok',
    });
    // The first result: queued and indexed; then another process claims it (its batch in flight).
    await outbox.enqueue('m1', callback(1));
    const held = await callbackScripts.claimCallbacks(
      redis,
      keys.callbackPending('m1'),
      keys.callbackDue('m1'),
      clock.now(),
      50,
      60_000,
    );
    expect(held.map((c) => c.id)).toEqual([callbackId(callback(1).eventToken)]);
    clock.advance(5);
    // This dispatcher's drain claims nothing; a second result is queued before it settles.
    let queuedDuringDrain = false;
    const dispatcherRedis = new Proxy(redis, {
      get(target, name, receiver) {
        const value: unknown = Reflect.get(target, name, receiver);
        if (name !== 'evalsha' || typeof value !== 'function') return value;
        return async (...args: unknown[]) => {
          // callback-settle-2.lua with nothing to settle: (sha, 2, pending, due, acks count, reschedules count)
          const settling = args[1] === 2 && args[2] === keys.callbackPending('m1') && args.length === 6;
          if (settling && !queuedDuringDrain) {
            queuedDuringDrain = true;
            await outbox.enqueue('m1', callback(2));
          }
          return value.apply(target, args);
        };
      },
    }) as RedisClient;
    const dispatcher = env.dispatcher({ redis: dispatcherRedis });
    try {
      await dispatcher.start();
      await eventually(() => queuedDuringDrain, 5000, 'a result queued while a drain claimed nothing');
      await eventually(() => sent.includes(callback(2).eventToken), 5000, 'sent before the minute-long safety poll');
      expect(sent).toEqual([callback(2).eventToken]);
    } finally {
      await dispatcher.stop();
    }
  });
});

/**
 * A drain that fails (Redis refusing a write: READONLY after a failover, OOM) leaves the portal's
 * index entry due, so a result queued after it writes no index and publishes no wake-up: the portal
 * is tried again after a short pause (250 ms, doubling up to the safety poll), not at the poll.
 */
describe('callback dispatcher: a failed drain', () => {
  const envs: Array<ReturnType<typeof callbackTestEnv>> = [];
  afterAll(() => {
    for (const env of envs) env.close();
  });
  const callback = (n: number) => ({ eventToken: `wf|F${n}|tok.sig`, returnValues: {}, logMessage: 'ok' });

  /** A dispatcher whose scripts on portal m1's keys are refused while `refusing()`; its passes, refusals and failures counted. */
  function failingDispatcher(env: ReturnType<typeof callbackTestEnv>, refusing: () => boolean) {
    const counts = { passes: 0, refused: 0, failures: 0 };
    const redis = new Proxy(env.redis, {
      get(target, name, receiver) {
        const value: unknown = Reflect.get(target, name, receiver);
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          if (name === 'zrangebyscore' && args[0] === env.keys.callbackPortals() && args[1] === '-inf')
            counts.passes += 1;
          if (name === 'evalsha' && args[2] === env.keys.callbackPending('m1') && refusing()) {
            counts.refused += 1;
            // Refused late (two round trips on this connection: after the pass that started the
            // drain has read its next due time and chosen its sleep).
            const refusal = new Error("READONLY You can't write against a read only replica.");
            return target
              .ping()
              .then(() => target.ping())
              .then(() => Promise.reject(refusal));
          }
          return value.apply(target, args);
        };
      },
    }) as RedisClient; // the same client, m1's scripts refused when asked
    const log = new Proxy(createLogger('silent'), {
      get(target, name, receiver) {
        const value: unknown = Reflect.get(target, name, receiver);
        if (name !== 'error' || typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          if (args[1] === 'callback drain failed') counts.failures += 1;
          return value.apply(target, args);
        };
      },
    }) as Logger; // the same logger, its drain failures counted
    return { dispatcher: env.dispatcher({ redis, extra: { log } }), counts };
  }

  it('after a transient failure, a result queued meanwhile goes out after the short pause, not at the safety poll', async () => {
    const env = callbackTestEnv('cdf');
    envs.push(env);
    let refuse = true;
    const { dispatcher, counts } = failingDispatcher(env, () => refuse);
    await env.outbox.enqueue('m1', callback(1));
    try {
      await dispatcher.start();
      await eventually(() => counts.failures === 1, 5000, 'the first drain failed');
      refuse = false;
      // Due as early as the entry the failed drain left: no index write, no wake-up.
      await env.outbox.enqueue('m1', callback(2));
      env.clock.advance(250);
      await eventually(() => env.sent.length === 2, 5000, 'both sent after the pause, before the minute-long poll');
      expect([...env.sent].sort()).toEqual([callback(1).eventToken, callback(2).eventToken]);
    } finally {
      await dispatcher.stop();
    }
  });

  it('a drain that keeps failing is tried again at doubling pauses, not at every pass', async () => {
    const env = callbackTestEnv('cdf');
    envs.push(env);
    const { dispatcher, counts } = failingDispatcher(env, () => true);
    await env.outbox.enqueue('m1', callback(1));
    try {
      await dispatcher.start();
      await eventually(() => counts.failures === 1, 5000, 'the first drain failed');
      // A minute of the injected clock in 500 ms steps, each with a wake-up and the pass it brings.
      for (let step = 1; step <= 120; step += 1) {
        const passes = counts.passes;
        env.clock.advance(500);
        dispatcher.wake();
        await eventually(() => counts.passes > passes, 5000, `pass ${step}`);
      }
    } finally {
      await dispatcher.stop();
    }
    // Tried at 0, 0.5, 1, 2, 4, 8, 16 and 32 s (the first step after each pause of 0.25, 0.5, 1 … s;
    // the next at 64 s); at every pass it would have been 121 times.
    expect(counts.failures).toBe(8);
    expect(counts.refused).toBe(8);
  });
});
