import type { Redis } from 'ioredis';
import type { CallbackOutbox } from '../../bitrix/callback-outbox';
import type { PortalClient } from '../../bitrix/portal-client';
import type { Clock } from '../../lib/clock';
import { createLogger } from '../../lib/logger';
import { createMetrics } from '../../lib/metrics';
import type { RedisClient } from '../../redis/connect';
import type { RedisKeys } from '../../redis/keys';
import { ActivityLog } from '../../store/activity-log';
import { CallbackDispatcher } from '../../workers/callback-dispatcher';

/**
 * A callback dispatcher over a real Redis whose portal takes every `bizproc.event.send` and tells
 * `sent` their event tokens; silent, with a one-minute safety poll (a test sees any wake-up it relies on).
 */
export function acceptingDispatcher(o: {
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
