import { Redis } from 'ioredis';
import { loadConfig } from '../../../config/load-config';
import { randomId } from '../../../lib/hash';
import { createLogger } from '../../../lib/logger';
import { queueNames } from '../../../queues/job-schemas';
import { createRedis, type RedisClient } from '../../../redis/connect';
import { createRuntime } from '../../../runtime/create-runtime';
import { startWorkers } from '../../../runtime/start-workers';
import { disconnectOpen } from '../../helpers/harness';

// The run-action worker's jobs in flight come from the WORKER_RUN_ACTION_CONCURRENCY setting
// (default 64), so a one-core container can lower it; the start option overrides it.
describe('run-action concurrency (real Redis, BullMQ)', () => {
  const redisUrl = process.env.TEST_REDIS_URL ?? '';
  const env = (extra: Record<string, string>) =>
    loadConfig({
      PUBLIC_URL: 'http://127.0.0.1:1',
      REDIS_URL: redisUrl,
      B24_CLIENT_ID: 'client',
      B24_CLIENT_SECRET: 'secret',
      WA_APP_SECRET: 'app-secret',
      WA_VERIFY_TOKEN: 'verify-token',
      SECRETS_KEY: 'c'.repeat(64),
      LOG_LEVEL: 'silent',
      ...extra,
    });

  it('defaults to 64 and refuses a figure below 1', () => {
    expect(env({}).WORKER_RUN_ACTION_CONCURRENCY).toBe(64);
    expect(() => env({ WORKER_RUN_ACTION_CONCURRENCY: '0' })).toThrow(/WORKER_RUN_ACTION_CONCURRENCY/);
  });

  it.each([
    ['the setting', { WORKER_RUN_ACTION_CONCURRENCY: '3' }, undefined, 3],
    ['the start option over the setting', { WORKER_RUN_ACTION_CONCURRENCY: '3' }, 5, 5],
  ])('%s sets the run-action worker’s concurrency', async (_name, extra, option, expected) => {
    const prefix = `wc${randomId(4).replace(/[^a-zA-Z0-9]/g, 'x')}`;
    const redis = new Redis(redisUrl, { maxRetriesPerRequest: null, disconnectTimeout: 0 });
    const rt = createRuntime({
      config: env(extra),
      redis,
      log: createLogger('silent'),
      keyPrefix: prefix,
      queuePrefix: `bull-${prefix}`,
    });
    const connections: RedisClient[] = [];
    const connection = () => {
      const c = createRedis(redisUrl, 'worker', { disconnectTimeoutMs: 0 });
      connections.push(c);
      return c;
    };
    const running = await startWorkers(rt, { connection, runActionConcurrency: option });
    try {
      const runAction = running.workers.find((w) => w.name === queueNames.runAction);
      expect(runAction?.concurrency).toBe(expected);
    } finally {
      await running.close();
      await rt.close();
      disconnectOpen(connections);
      redis.disconnect();
    }
  });

  it('makes the wake-up subscribers with subscriberConnection (closed at once), every other connection with connection', async () => {
    const prefix = `wc${randomId(4).replace(/[^a-zA-Z0-9]/g, 'x')}`;
    const redis = new Redis(redisUrl, { maxRetriesPerRequest: null, disconnectTimeout: 0 });
    const rt = createRuntime({
      config: env({}),
      redis,
      log: createLogger('silent'),
      keyPrefix: prefix,
      queuePrefix: `bull-${prefix}`,
    });
    const made = { connection: [] as Redis[], subscriber: [] as Redis[] };
    const factory = (kind: keyof typeof made) => () => {
      const c = new Redis(redisUrl, { maxRetriesPerRequest: null, disconnectTimeout: 0 });
      made[kind].push(c);
      return c;
    };
    const running = await startWorkers(rt, {
      connection: factory('connection'),
      subscriberConnection: factory('subscriber'),
    });
    try {
      // The callback dispatcher's, the hook deliverer's and the open-line dispatcher's.
      expect(made.subscriber.map((c) => c.mode)).toEqual(['subscriber', 'subscriber', 'subscriber']);
      expect(made.connection.length).toBeGreaterThan(0);
      expect(made.connection.filter((c) => c.mode === 'subscriber')).toEqual([]);
    } finally {
      await running.close();
      await rt.close();
      disconnectOpen([...made.connection, ...made.subscriber]);
      redis.disconnect();
    }
  });
});
