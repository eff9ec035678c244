import { isCluster, type RedisClient, scanKeys } from '../redis/connect';

/**
 * Renames every BullMQ key from one prefix to another (`bull:*` → `{bull}:*`), so a deployment can
 * take a hash-tagged QUEUE_PREFIX (before moving to a Redis Cluster) without stranding its jobs:
 * BullMQ keeps job ids, never full key names, inside its lists, sets and hashes, so the renamed keys
 * are the same queues — waiting, delayed (retries, wait time-outs), active, completed, schedules.
 * Run it on one Redis with every web and worker process stopped; start them with the new prefix after.
 */
export async function moveQueuePrefix(
  redis: RedisClient,
  from: string,
  to: string,
): Promise<{ moved: number; queues: string[] }> {
  if (!from || !to || from === to) throw new Error('give two different prefixes: --from <old> --to <new>');
  if (isCluster(redis))
    throw new Error(
      'run this on the single Redis before moving to a cluster (a cluster cannot rename keys across slots)',
    );
  const workers = await connectedWorkers(redis, [from, to]);
  if (workers.length)
    throw new Error(`stop every worker process first; still connected: ${workers.slice(0, 5).join(', ')}`);
  for await (const taken of scanKeys(redis, `${globEscape(to)}:*`))
    throw new Error(`prefix ${to} already has keys (e.g. ${taken[0]}): processes ran with it; nothing was moved`);
  const queues = new Set<string>();
  let moved = 0;
  // Renamed keys match the new pattern only, so the scan of the old one never meets them twice.
  for await (const keys of scanKeys(redis, `${globEscape(from)}:*`)) {
    for (const key of keys) {
      const rest = key.slice(from.length + 1);
      const queue = rest.split(':')[0];
      if (queue) queues.add(queue);
      const renamed = await redis.renamenx(key, `${to}:${rest}`).catch((error: unknown) => {
        // SCAN may name a key twice; the second time it is gone already.
        if (String(error).includes('no such key')) return -1;
        throw error;
      });
      if (renamed === 1) moved += 1;
      else if (renamed === 0)
        throw new Error(`${to}:${rest} appeared while moving (a process is running with ${to}); stopped`);
    }
  }
  return { moved, queues: [...queues].sort() };
}

/** BullMQ workers name their connections `<prefix>:<queue in base64>…` (what Queue.getWorkers reads). */
async function connectedWorkers(redis: RedisClient, prefixes: string[]): Promise<string[]> {
  const list = String(await redis.client('LIST'));
  return list
    .split('\n')
    .map((line) => / name=(\S*)/.exec(line)?.[1] ?? '')
    .filter((name) => prefixes.some((prefix) => name.startsWith(`${prefix}:`)));
}

/** SCAN's MATCH is a glob: a prefix's own `*?[]\` must match literally. */
function globEscape(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}
