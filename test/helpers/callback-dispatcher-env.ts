import { Writable } from 'node:stream';
import { Redis } from 'ioredis';
import type { z } from 'zod';
import { type Callback, CallbackOutbox } from '../../bitrix/callback-outbox';
import type { PortalClient } from '../../bitrix/portal-client';
import type { Clock } from '../../lib/clock';
import { randomId } from '../../lib/hash';
import { createLogger } from '../../lib/logger';
import { createMetrics, type Metrics } from '../../lib/metrics';
import type { RedisClient } from '../../redis/connect';
import { createKeys, type RedisKeys } from '../../redis/keys';
import { ActivityLog } from '../../store/activity-log';
import { CallbackDispatcher, type CallbackDispatcherOptions } from '../../workers/callback-dispatcher';
import { createManualClock } from './manual-clock';

/** What a test may choose of one accepting dispatcher. */
export interface AcceptingDispatcherOptions {
  /** A wrapper of the plain connection (default: the plain connection). */
  redis?: RedisClient;
  /** The form it reads rows in (a newer release's worker; default the current one). */
  callbackSchema?: z.ZodType<Callback>;
  /** More of the dispatcher's own options, over the ones above (e.g. a counting logger). */
  extra?: Partial<CallbackDispatcherOptions>;
  /**
   * Runs inside each `batch` call before the portal answers: a slow portal (the test moves the
   * clock) or another worker at work meanwhile.
   */
  duringBatch?: () => Promise<void>;
}

/**
 * A callback dispatcher over a real Redis whose portal takes every `bizproc.event.send` and tells
 * `sent` their event tokens; its warnings and errors go to `logged`, its counts to `metrics`; with
 * a one-minute safety poll (a test sees any wake-up it relies on).
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
  logged: string[];
  metrics: Metrics;
  callbackSchema?: z.ZodType<Callback>;
  duringBatch?: () => Promise<void>;
  extra?: Partial<CallbackDispatcherOptions>;
}): CallbackDispatcher {
  const portal = (memberId: string): PortalClient => ({
    memberId,
    call: async () => Promise.reject(new Error('not used')),
    async batch(commands) {
      await o.duringBatch?.();
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
    metrics: o.metrics,
    log: createLogger(
      'warn',
      new Writable({
        write(chunk, _encoding, done) {
          o.logged.push(String(chunk));
          done();
        },
      }),
    ),
    activity: new ActivityLog(o.plain, o.keys),
    safetyPollMs: 60_000,
    callbackSchema: o.callbackSchema,
    ...o.extra,
  });
}

/**
 * Over the test Redis: its connections (a plain one and the wake-up subscriber), fresh keys, a manual
 * clock, an outbox, and `dispatcher()`: an accepting dispatcher over them (each one made shares
 * `sent`, `logged` and `metrics`: workers of one deployment; and the one subscriber, so start at
 * most one: a dispatcher's stop() closes it). `close()` disconnects what is still open.
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
  const logged: string[] = [];
  const metrics = createMetrics();
  const dispatcher = (o: AcceptingDispatcherOptions = {}) =>
    acceptingDispatcher({
      redis: o.redis ?? redis,
      plain: redis,
      subscriber,
      keys,
      clock,
      outbox,
      sent,
      logged,
      metrics,
      callbackSchema: o.callbackSchema,
      duringBatch: o.duringBatch,
      extra: o.extra,
    });
  const close = () => {
    // The dispatcher's stop() closed the subscriber already (unless its socket was lost: see above).
    for (const connection of [redis, subscriber]) if (connection.status !== 'end') connection.disconnect();
  };
  return { redis, subscriber, keys, clock, outbox, sent, logged, metrics, dispatcher, close };
}
