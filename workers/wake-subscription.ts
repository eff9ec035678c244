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
 * One still closing is fine to disconnect again: its close event clears both timers.
 * One waiting to reconnect (Redis down) never reaches 'end' once disconnected (its socket closed
 * before, so ioredis' close handler does not run again): the guard below does not see it closed,
 * and only WakeableLoop's memoized stop() keeps it from being disconnected a second time. Its
 * disconnect(), like that of one still connecting to a dead host, would also hold the process for
 * ioredis' 2 s close wait: the workers make their subscribers without it (createSubscriberRedis,
 * which says what it does not cover on a Cluster).
 */
export function closeWakeUps(subscriber: RedisClient): void {
  if (subscriber.status === 'end') return;
  subscriber.disconnect();
}
