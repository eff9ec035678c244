import { join } from 'node:path';
import { Redis } from 'ioredis';
import { CallbackOutbox } from '../../../bitrix/callback-outbox';
import type { PortalClient } from '../../../bitrix/portal-client';
import { randomId } from '../../../lib/hash';
import { createLogger } from '../../../lib/logger';
import { createMetrics } from '../../../lib/metrics';
import type { RedisClient } from '../../../redis/connect';
import { createKeys } from '../../../redis/keys';
import { ActivityLog } from '../../../store/activity-log';
import { CallbackDispatcher } from '../../../workers/callback-dispatcher';
import { HookDeliverer } from '../../../workers/hook-deliverer';
import { resourcesLeft } from '../../helpers/child-script';
import { setupHooks } from '../../helpers/hook-env';
import { createManualClock } from '../../helpers/manual-clock';
import { pollUntil } from '../../helpers/poll';
import { openLineHarnessOwnDispatch, ownDispatcher } from '../openlines/openline-helpers';

/** A subscriber connection whose disconnect() calls on an already closed connection are counted. */
function countedSubscriber(url: string) {
  const subscriber = new Redis(url);
  const counts = { disconnectsWhenClosed: 0 };
  const counted = new Proxy(subscriber, {
    get(target, name, receiver) {
      const value: unknown = Reflect.get(target, name, receiver);
      if (name !== 'disconnect' || typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        if (target.status === 'end') counts.disconnectsWhenClosed += 1;
        return value.apply(target, args);
      };
    },
  }) as RedisClient; // the same client, its disconnect() calls counted
  return { subscriber, counted, counts };
}

/**
 * Stopping a wake-up worker twice (a test's early stop and its clean-up, a shutdown hook run twice)
 * must not disconnect its closed subscriber again: ioredis then arms a 2 s timer nothing clears,
 * and the process (jest) waits for it.
 */
describe('wake-up workers stopped twice', () => {
  const url = process.env.TEST_REDIS_URL ?? '';
  const connections: Redis[] = [];
  afterEach(() => {
    for (const connection of connections.splice(0)) if (connection.status !== 'end') connection.disconnect();
  });

  async function stopTwice(worker: { stop(): Promise<void> }, subscriber: Redis) {
    await worker.stop();
    await pollUntil(() => subscriber.status === 'end', 5000, 'the subscriber closed');
    await worker.stop();
  }

  it('hook deliverer', async () => {
    if (!url) throw new Error('TEST_REDIS_URL is not set: run through jest');
    const env = await setupHooks();
    const { subscriber, counted, counts } = countedSubscriber(url);
    connections.push(subscriber, env.redis);
    const deliverer = new HookDeliverer({
      redis: env.redis,
      subscriber: counted,
      keys: env.keys,
      hooks: env.hooks,
      log: createLogger('silent'),
      metrics: createMetrics(),
      clock: env.clock,
    });
    await deliverer.start();
    await env.deliverer.stop();
    await stopTwice(deliverer, subscriber);
    expect(counts.disconnectsWhenClosed).toBe(0);
  });

  it('callback dispatcher', async () => {
    if (!url) throw new Error('TEST_REDIS_URL is not set: run through jest');
    const redis = new Redis(url);
    const { subscriber, counted, counts } = countedSubscriber(url);
    connections.push(redis, subscriber);
    const keys = createKeys(`wws${randomId(4).replace(/[^a-zA-Z0-9]/g, 'x')}`);
    const clock = createManualClock();
    const dispatcher = new CallbackDispatcher({
      redis,
      subscriber: counted,
      keys,
      outbox: new CallbackOutbox(redis, keys, clock),
      bitrix: Object.assign(
        (): PortalClient => {
          throw new Error('no portal is drained here');
        },
        { probe: async () => ({ installed: true }) },
      ),
      log: createLogger('silent'),
      metrics: createMetrics(),
      clock,
      activity: new ActivityLog(redis, keys),
    });
    await dispatcher.start();
    await stopTwice(dispatcher, subscriber);
    expect(counts.disconnectsWhenClosed).toBe(0);
  });

  it('open-line dispatcher', async () => {
    const h = await openLineHarnessOwnDispatch();
    try {
      const { subscriber, counted, counts } = countedSubscriber(h.redisUrl);
      connections.push(subscriber);
      const dispatcher = ownDispatcher(h, { subscriber: counted });
      await dispatcher.start();
      await stopTwice(dispatcher, subscriber);
      expect(counts.disconnectsWhenClosed).toBe(0);
    } finally {
      await h.close();
    }
  });
});

/**
 * A worker stopped (twice: a shutdown hook run twice) while its wake-up connection waits to reconnect
 * to a Redis that is down: the connection is disconnected once, and nothing is left to hold the
 * process (ioredis would otherwise wait 2 s for the close of a socket already closed). Its other
 * connection is on the test Redis, so its passes never wait on the dead one.
 */
async function leftAfterStopWhileReconnecting(): Promise<string[]> {
  const module = (path: string) => JSON.stringify(join(__dirname, '../../..', path));
  const script = `
    const { startRedisServer } = require(${module('lib/redis-server.ts')});
    const { createRedis, createSubscriberRedis } = require(${module('redis/connect.ts')});
    const { createKeys } = require(${module('redis/keys.ts')});
    const { CallbackOutbox } = require(${module('bitrix/callback-outbox.ts')});
    const { createLogger } = require(${module('lib/logger.ts')});
    const { createMetrics } = require(${module('lib/metrics.ts')});
    const { systemClock: clock } = require(${module('lib/clock.ts')});
    const { ActivityLog } = require(${module('store/activity-log.ts')});
    const { CallbackDispatcher } = require(${module('workers/callback-dispatcher.ts')});
    startRedisServer().then(async (server) => {
      const redis = createRedis(process.argv[1], 'worker', { disconnectTimeoutMs: 0 });
      // As workers/main.ts makes it (startWorkers' subscriberConnection).
      const subscriber = createSubscriberRedis(server.url);
      // A long retry delay: the stop below finds it still reconnecting however loaded the machine is.
      subscriber.options.retryStrategy = () => 10000;
      let disconnects = 0;
      const statuses = [];
      const disconnect = subscriber.disconnect.bind(subscriber);
      subscriber.disconnect = (...args) => { disconnects += 1; statuses.push(subscriber.status); return disconnect(...args); };
      const keys = createKeys('wwr' + process.pid);
      const dispatcher = new CallbackDispatcher({
        redis, subscriber, keys, clock, outbox: new CallbackOutbox(redis, keys, clock),
        bitrix: Object.assign(() => { throw new Error('no portal is drained here'); }, { probe: async () => ({ installed: true }) }),
        log: createLogger('silent'), metrics: createMetrics(), activity: new ActivityLog(redis, keys), safetyPollMs: 60000,
      });
      await dispatcher.start();
      subscriber.once('reconnecting', async () => {
        await Promise.all([dispatcher.stop(), dispatcher.stop()]);
        await dispatcher.stop();
        if (disconnects !== 1) throw new Error('the wake-up connection was disconnected ' + disconnects + ' times');
        // Had the retry come first, it would be connecting instead (the long delay above rules that out).
        if (statuses[0] !== 'reconnecting') throw new Error('disconnected while ' + statuses[0] + ', not reconnecting');
        redis.disconnect();
        printResourcesLeft();
      });
      await server.stop();
    });`;
  return resourcesLeft(script, [process.env.TEST_REDIS_URL ?? '']);
}

describe('a wake-up worker stopped while its subscription waits to reconnect', () => {
  it('disconnects it once and leaves no timer to hold the process', async () => {
    expect(await leftAfterStopWhileReconnecting()).not.toContain('Timeout');
  });
});
