import { freePort } from '../../lib/redis-server';
import { createRedis, type RedisClient } from '../../redis/connect';

/**
 * A web process's connection (`http` role) to addresses where no Redis answers: one Redis, or a
 * cluster of two such nodes. Its errors are expected and dropped. Its `disconnect()` destroys the
 * socket at once (`disconnectTimeoutMs: 0`): ioredis' own 2 s wait for a socket already refused is
 * a ref'd timer nothing clears, which held the jest worker past its exit.
 */
export async function deadRedis(kind: 'single' | 'cluster' = 'single'): Promise<RedisClient> {
  const url =
    kind === 'single'
      ? `redis://127.0.0.1:${await freePort()}`
      : `redis+cluster://127.0.0.1:${await freePort()},127.0.0.1:${await freePort()}`;
  const dead = createRedis(url, 'http', { disconnectTimeoutMs: 0 });
  dead.on('error', () => undefined);
  return dead;
}
