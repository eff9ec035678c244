import { Redis } from 'ioredis';

/**
 * Connections by role: workers block on BullMQ and must never give up a command
 * (`maxRetriesPerRequest: null`); the HTTP side fails fast so a dead Redis becomes a 503.
 * `autoPipelining` is for a connection many jobs share (never a BullMQ worker's blocking one):
 * the commands they issue in one tick go out in one write and come back in one read — each write
 * is a system call, and those were the largest cost of a sent message in the worker's profile.
 */
export function createRedis(url: string, role: 'worker' | 'http', options: { autoPipelining?: boolean } = {}): Redis {
  const enableAutoPipelining = options.autoPipelining ?? false;
  return new Redis(
    url,
    role === 'worker'
      ? { maxRetriesPerRequest: null, enableReadyCheck: true, enableAutoPipelining }
      : {
          maxRetriesPerRequest: 1,
          enableOfflineQueue: false,
          connectTimeout: 2000,
          lazyConnect: false,
          enableAutoPipelining,
        },
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
