import { Redis } from 'ioredis';
import { CallbackOutbox, callbackId } from '../../../bitrix/callback-outbox';
import { randomId } from '../../../lib/hash';
import { callbackScripts } from '../../../redis/callback-scripts';
import type { RedisClient } from '../../../redis/connect';
import { createKeys } from '../../../redis/keys';
import { acceptingDispatcher } from '../../helpers/callback-dispatcher-env';
import { eventually } from '../../helpers/harness';
import { createManualClock } from '../../helpers/manual-clock';

/**
 * A drain that finds nothing claimable (another process holds the portal's due rows) while a result
 * is queued: the result writes no index behind the portal's confirmed mark (or its `ZADD LT` changes
 * nothing, the portal being due already), so no wake-up is published; the drain re-indexes it, and
 * the dispatcher must look again then — not at its safety poll (a minute here; 5 s in production,
 * which showed as idle seconds in the bench).
 */
describe('callback dispatcher: a drain that claimed nothing', () => {
  const url = process.env.TEST_REDIS_URL ?? '';
  const connections: Redis[] = [];
  afterAll(() => {
    for (const connection of connections) connection.disconnect();
  });

  it('sends a result queued during it at once, not at the safety poll', async () => {
    if (!url) throw new Error('TEST_REDIS_URL is not set: run through jest');
    const redis = new Redis(url);
    const subscriber = new Redis(url);
    connections.push(redis, subscriber);
    const keys = createKeys(`cdw${randomId(4).replace(/[^a-zA-Z0-9]/g, 'x')}`);
    const clock = createManualClock();
    const outbox = new CallbackOutbox(redis, keys, clock);
    const sent: string[] = [];
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
          // callback-settle-2.lua: (sha, 2, pending, due, acks count, …)
          const settling = args[1] === 2 && args[2] === keys.callbackPending('m1') && args.length === 5;
          if (settling && !queuedDuringDrain) {
            queuedDuringDrain = true;
            await outbox.enqueue('m1', callback(2));
          }
          return value.apply(target, args);
        };
      },
    }) as RedisClient;
    const dispatcher = acceptingDispatcher({
      redis: dispatcherRedis,
      plain: redis,
      subscriber,
      keys,
      clock,
      outbox,
      sent,
    });
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
