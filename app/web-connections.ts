import { createRedis, type RedisClient } from '../redis/connect';

/**
 * The web process's two connections: the stores' and the queues' own (ioredis copies every script
 * defined on a connection, BullMQ's some fifty, into each pipeline and MULTI it builds, so the
 * stores' small ones stay apart from them). Both fail fast (`http` role): with Redis down, or up but
 * not ready (still loading its AOF), a robot call or a webhook gets a 503 at once, never a request
 * hanging until the portal gives up. Hence not auto-pipelined: ioredis sends one auto-pipeline of a
 * connection at a time, and one cut off in flight waits for a reconnect to fail or the server to be
 * ready, with every later command queued behind it. Each turn's commands still leave in one write
 * (redis/write-coalescing.ts), and a refused one fails at once.
 */
export function createWebConnections(
  url: string,
  /** createRedis' `disconnectTimeoutMs` (default: ioredis' 2 s); tests cutting a handshake pass 0. */
  options: { disconnectTimeoutMs?: number } = {},
): { redis: RedisClient; queueRedis: RedisClient } {
  const redis = createRedis(url, 'http', options);
  const queueRedis = createRedis(url, 'http', options);
  // A refused command is the request's 503; the connection's own errors would only repeat it.
  for (const connection of [redis, queueRedis]) connection.on('error', () => undefined);
  return { redis, queueRedis };
}
