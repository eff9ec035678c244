import type { Logger } from '../lib/logger';
import type { RedisClient } from '../redis/connect';

/**
 * Subscribes a loop to its wake-up channel: each message published there calls `onWake` with its
 * payload. A lost subscription only costs latency (the loop's safety poll still finds the work), so
 * its errors are logged as `errorMessage` and nothing more.
 */
export async function subscribeToWakeUps(
  subscriber: RedisClient,
  channel: string,
  o: { log: Pick<Logger, 'warn'>; errorMessage: string; onWake(payload: string): void },
): Promise<void> {
  subscriber.on('error', (error: Error) => o.log.warn({ err: error }, o.errorMessage));
  subscriber.on('message', (from: string, payload: string) => {
    if (from === channel) o.onWake(payload);
  });
  await subscriber.subscribe(channel);
}

/**
 * Closes the wake-up connection, once: a second stop() must not disconnect it again — on a closed
 * connection ioredis arms a 2 s timer (disconnectTimeout) that nothing clears, holding the process.
 * One still closing is fine to disconnect again: its close event clears both timers. One waiting to
 * reconnect (Redis down) has a socket closed for good: ioredis would still wait those 2 s for its
 * close, so it is told not to wait (nothing is left to flush on a subscription).
 */
export function closeWakeUps(subscriber: RedisClient): void {
  if (subscriber.status === 'end') return;
  if (subscriber.status === 'reconnecting') skipCloseWait(subscriber);
  subscriber.disconnect();
}

/**
 * Sets the socket-close wait of a single Redis connection to 0. ioredis (5.x) reads it from its
 * connector (not in its public types; fixed at construction from the `disconnectTimeout` option),
 * hence Reflect with checks: on another shape this does nothing and only the 2 s wait is back.
 */
function skipCloseWait(subscriber: RedisClient): void {
  const connector: unknown = Reflect.get(subscriber, 'connector');
  if (typeof connector === 'object' && connector !== null && 'disconnectTimeout' in connector)
    Reflect.set(connector, 'disconnectTimeout', 0);
}
