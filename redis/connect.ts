import { Cluster, type ClusterOptions, type Redis, type RedisOptions } from 'ioredis';
import { parseRedisUrl } from '../config/redis-url';
import { WriteCoalescingRedis } from './write-coalescing';

/**
 * What the app talks to: one Redis or a Redis Cluster. Both run the same commands, scripts and
 * pub/sub; multi-key commands, scripts and transactions must keep their keys in one slot (see keys.ts).
 */
export type RedisClient = Redis | Cluster;

/**
 * Connections by role: workers block on BullMQ and must never give up a command
 * (`maxRetriesPerRequest: null`); the HTTP side fails fast so a dead Redis becomes a 503. On one
 * Redis every connection sends the commands of one event-loop turn in one write
 * (redis/write-coalescing.ts: each write is a system call, the largest cost of a sent message in
 * the worker's profile and of a reply in the web process's). Not ioredis' auto-pipelining: its
 * pipelines kept everything they touched alive until a full GC (see write-coalescing.ts). A
 * cluster connection sends each command on its own (see below).
 */
export function createRedis(
  url: string,
  role: 'worker' | 'http',
  options: {
    /**
     * How long `disconnect()` lets the socket close before destroying it (default: ioredis' 2 s).
     * ioredis arms that wait, a ref'd timer, even when the socket has already closed (Redis down,
     * a ready check cut, a cluster's slot refresh on a dead node), and then nothing clears it: the
     * process cannot exit before it ends. Tests on an address where no Redis answers pass 0.
     */
    disconnectTimeoutMs?: number;
  } = {},
): RedisClient {
  const target = parseRedisUrl(url);
  const disconnect =
    options.disconnectTimeoutMs === undefined ? {} : { disconnectTimeout: options.disconnectTimeoutMs };
  const nodeOptions: RedisOptions =
    role === 'worker'
      ? { maxRetriesPerRequest: null, enableReadyCheck: true, ...disconnect }
      : {
          maxRetriesPerRequest: 1,
          enableOfflineQueue: false,
          connectTimeout: 2000,
          lazyConnect: false,
          ...disconnect,
        };
  // The doors flush each callback's commands at once, the workers each turn's (write-coalescing.ts).
  if (target.kind === 'single') return new WriteCoalescingRedis(url, nodeOptions, role === 'http' ? 'tick' : 'turn');
  const clusterOptions: ClusterOptions = {
    redisOptions: {
      ...nodeOptions,
      ...(target.username ? { username: target.username } : {}),
      ...(target.password ? { password: target.password } : {}),
      ...(target.tls ? { tls: {} } : {}),
    },
    enableReadyCheck: true,
    // Never auto-pipelined on a cluster: ioredis (5.x, and 6.0 per redis/ioredis#2075, open) batches
    // a node's auto-pipeline across slots and handles MOVED for the batch as a whole, so once a slot
    // moves every command on it keeps failing with MOVED (test/integration/cluster-resharding.test.ts).
    // Each command follows its own MOVED/ASK.
    // Without an offline queue a command fails at once while the slot map is not known (HTTP: 503).
    enableOfflineQueue: role === 'worker',
    // A failover (a replica promoted after cluster-node-timeout) answers MOVED/CLUSTERDOWN/TRYAGAIN
    // for seconds: workers retry for ≈ 20 s (100 × 200 ms) before a command fails; HTTP keeps
    // ioredis' 16 tries (a robot call is retried by the portal).
    ...(role === 'worker'
      ? { maxRedirections: 100, retryDelayOnFailover: 200, retryDelayOnClusterDown: 200, retryDelayOnTryAgain: 200 }
      : {}),
    // TLS certificates name the host given, not the address a managed cluster's slot map reports.
    ...(target.tls ? { dnsLookup: (address, callback) => callback(null, address) } : {}),
  };
  return new Cluster(target.nodes, clusterOptions);
}

/**
 * A wake-up subscription's connection (the callback and open-line dispatchers', the hook
 * deliverer's): a worker's, whose `disconnect()` destroys the socket at once. A subscription has
 * nothing to flush, and ioredis' 2 s close wait would otherwise hold a stopping process whenever
 * Redis is down: a connection waiting to reconnect has no socket left to close (see
 * createRedis), one connecting to a host that drops packets has one that never connects.
 * On a Cluster it reaches the node connections (redisOptions) but not the connection ioredis
 * itself subscribes on (ClusterSubscriber, built with fixed options): there a stop while that
 * node is down may still wait up to 2 s.
 */
export function createSubscriberRedis(url: string): RedisClient {
  return createRedis(url, 'worker', { disconnectTimeoutMs: 0 });
}

/** True for a Redis Cluster client (BullMQ prefixes then need a hash tag; SCAN runs on every master). */
export function isCluster(redis: RedisClient): redis is Cluster {
  return redis.isCluster;
}

/**
 * The connections SCAN must walk: each master of a cluster (a SCAN on the cluster client visits
 * one node only), or the single Redis itself.
 */
export function scanTargets(redis: RedisClient): Redis[] {
  return isCluster(redis) ? redis.nodes('master') : [redis];
}

/** Every key matching `pattern` on every master, in batches (SCAN never blocks Redis for long). */
export async function* scanKeys(redis: RedisClient, pattern: string, count = 500): AsyncGenerator<string[]> {
  // A cluster knows its masters once its slot map is loaded: an empty list would scan nothing.
  if (isCluster(redis)) await waitReady(redis, 10_000);
  const nodes = scanTargets(redis);
  if (nodes.length === 0) throw new Error('Redis Cluster: no master known to scan');
  for (const node of nodes) {
    let cursor = '0';
    do {
      const [next, found] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', count);
      cursor = next;
      if (found.length) yield found;
    } while (cursor !== '0');
  }
}

/** Resolves once the connection is ready (the HTTP connection has no offline queue). */
export async function waitReady(redis: RedisClient, timeoutMs = 5000): Promise<void> {
  if (redis.status === 'ready') return;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`Redis not ready after ${timeoutMs} ms`)), timeoutMs);
    redis.once('ready', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}
