import { Redis } from 'ioredis';

/**
 * Connections by role: workers block on BullMQ and must never give up a command
 * (`maxRetriesPerRequest: null`); the HTTP side fails fast so a dead Redis becomes a 503.
 */
export function createRedis(url: string, role: 'worker' | 'http'): Redis {
  return new Redis(
    url,
    role === 'worker'
      ? { maxRetriesPerRequest: null, enableReadyCheck: true }
      : { maxRetriesPerRequest: 1, enableOfflineQueue: false, connectTimeout: 2000, lazyConnect: false },
  );
}

/** Resolves once the connection is ready (the HTTP connection has no offline queue). */
export async function waitReady(redis: Redis, timeoutMs = 5000): Promise<void> {
  if (redis.status === 'ready') return;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`Redis not ready after ${timeoutMs} ms`)), timeoutMs);
    redis.once('ready', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}
