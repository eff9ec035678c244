import { Redis } from 'ioredis';
import { CallbackOutbox } from '../../bitrix/callback-outbox';
import type { PortalClient } from '../../bitrix/portal-client';
import type { Clock } from '../../lib/clock';
import { randomId } from '../../lib/hash';
import { createLogger } from '../../lib/logger';
import { createMetrics } from '../../lib/metrics';
import type { RedisClient } from '../../redis/connect';
import { createKeys, type RedisKeys } from '../../redis/keys';
import { ActivityLog } from '../../store/activity-log';
import { CallbackDispatcher } from '../../workers/callback-dispatcher';
import { createManualClock } from './manual-clock';

/**
 * A callback dispatcher over a real Redis whose portal takes every `bizproc.event.send` and tells
 * `sent` their event tokens; silent, with a one-minute safety poll (a test sees any wake-up it relies on).
 */
function acceptingDispatcher(o: {
  redis: RedisClient;
  /** The plain connection (the activity log's). */
  plain: Redis;
  subscriber: Redis;
  keys: RedisKeys;
  clock: Clock;
  outbox: CallbackOutbox;
  sent: string[];
}): CallbackDispatcher {
  const portal = (memberId: string): PortalClient => ({
    memberId,
    call: async () => Promise.reject(new Error('not used')),
    async batch(commands) {
      for (const [, params] of Object.values(commands)) o.sent.push(String(params.event_token));
      return { results: Object.fromEntries(Object.keys(commands).map((k) => [k, true])), errors: {} };
    },
  });
  return new CallbackDispatcher({
    redis: o.redis,
    subscriber: o.subscriber,
    keys: o.keys,
    outbox: o.outbox,
    bitrix: Object.assign(portal, { probe: async () => ({ installed: true }) }),
    clock: o.clock,
    metrics: createMetrics(),
    log: createLogger('silent'),
    activity: new ActivityLog(o.plain, o.keys),
    safetyPollMs: 60_000,
  });
}

/**
 * Over the test Redis: its connections (a plain one and the wake-up subscriber), fresh keys, a manual
 * clock, an outbox, and `dispatcher()`: an accepting dispatcher over them (or over `dispatcherRedis`,
 * a wrapper of the plain connection). `close()` disconnects what is still open.
 */
export function callbackTestEnv(prefix: string) {
  const url = process.env.TEST_REDIS_URL;
  if (!url) throw new Error('TEST_REDIS_URL is not set: run through jest');
  // disconnectTimeout 0, as the harness' connections (see disconnectOpen): ioredis' default 2 s wait
  // for a `close`, a ref'd timer, outlives the file when the socket had already closed (a subscriber
  // cut and reconnecting when stop() disconnects it, a ready check cut): the jest worker cannot exit.
  const redis = new Redis(url, { disconnectTimeout: 0 });
  const subscriber = new Redis(url, { disconnectTimeout: 0 });
  const keys = createKeys(`${prefix}${randomId(4).replace(/[^a-zA-Z0-9]/g, 'x')}`);
  const clock = createManualClock();
  const outbox = new CallbackOutbox(redis, keys, clock);
  const sent: string[] = [];
  const dispatcher = (dispatcherRedis: RedisClient = redis) =>
    acceptingDispatcher({ redis: dispatcherRedis, plain: redis, subscriber, keys, clock, outbox, sent });
  const close = () => {
    // The dispatcher's stop() closed the subscriber already (unless its socket was lost: see above).
    for (const connection of [redis, subscriber]) if (connection.status !== 'end') connection.disconnect();
  };
  return { redis, subscriber, keys, clock, outbox, sent, dispatcher, close };
}
