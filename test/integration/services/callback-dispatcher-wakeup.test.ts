import { callbackId } from '../../../bitrix/callback-outbox';
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
