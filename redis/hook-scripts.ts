import type { RedisClient } from './connect';
import { asNumber, run } from './scripts';

/** An outbound event to emit with a script's state change (eventId '' = none); keys of one portal. */
export interface HookEmit {
  seenKey: string;
  streamKey: string;
  subscriptionsKey: string;
  eventId: string;
  body: string;
  seenMs: number;
  channel: string;
  memberId: string;
}

/** Typed wrappers of the outbound-event scripts (listed with the others in redis/script-files.ts). */
export const hookScripts = {
  /** Emits an outbound event once per event id; true when appended (false: no subscriptions, or a repeat). */
  async emitHookEvent(redis: RedisClient, event: HookEmit & { type: string; nowMs: number }): Promise<boolean> {
    const k = [event.seenKey, event.streamKey, event.subscriptionsKey];
    const a = [event.eventId, event.type, event.body, event.nowMs, event.seenMs, event.channel, event.memberId];
    return asNumber(await run(redis, 'hook-emit-3', k, a)) === 1;
  },
  /** Records a delivery step while the lease is held and the subscription exists; false otherwise. */
  async settleHookDelivery(
    redis: RedisClient,
    keys: { state: string; lease: string; log: string; subscriptions: string },
    args: {
      token: string;
      subscriptionId: string;
      leaseMs: number;
      cursor: string;
      attempts: number;
      nextAt: number;
      logEntry: string;
      logLength: number;
    },
  ): Promise<boolean> {
    const k = [keys.state, keys.lease, keys.log, keys.subscriptions];
    const a = [args.token, args.subscriptionId, args.leaseMs, args.cursor, args.attempts, args.nextAt];
    return asNumber(await run(redis, 'hook-settle-4', k, [...a, args.logEntry, args.logLength])) === 1;
  },
  /** Releases a delivery lease if `token` still holds it. */
  async releaseHookLease(redis: RedisClient, leaseKey: string, token: string): Promise<boolean> {
    return asNumber(await run(redis, 'hook-release-1', [leaseKey], [token])) === 1;
  },
};
