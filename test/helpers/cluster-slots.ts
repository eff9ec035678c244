import { Redis } from 'ioredis';
import { z } from 'zod';
import type { LocalRedisCluster } from '../../lib/redis-cluster';

/** One master of a local cluster as CLUSTER NODES describes it. */
export interface ClusterMaster {
  id: string;
  port: number;
  /** [first, last] slot ranges it serves. */
  ranges: Array<[number, number]>;
}

const slotReply = z.coerce.number().int().min(0).max(16383);

/** Opens a plain connection to each master for one call (no cluster client: no slot map of its own). */
async function withNodes<T>(cluster: LocalRedisCluster, use: (nodes: Map<number, Redis>) => Promise<T>): Promise<T> {
  const nodes = new Map(cluster.ports.map((port) => [port, new Redis(port, '127.0.0.1')]));
  try {
    return await use(nodes);
  } finally {
    for (const node of nodes.values()) node.disconnect();
  }
}

/** The cluster's masters and the slots each serves, as the first node tells it. */
export async function clusterMasters(cluster: LocalRedisCluster): Promise<ClusterMaster[]> {
  return withNodes(cluster, async (nodes) => {
    const first = [...nodes.values()][0];
    if (!first) throw new Error('a cluster without nodes');
    const text = z.string().parse(await first.cluster('NODES'));
    return text
      .trim()
      .split('\n')
      .map((line) => line.split(' '))
      .filter((fields) => (fields[2] ?? '').includes('master'))
      .map((fields) => ({
        id: fields[0] ?? '',
        port: Number((fields[1] ?? '').split('@')[0]?.split(':')[1]),
        ranges: fields.slice(8).map((range) => {
          const [a = '', b = a] = range.split('-');
          return [Number(a), Number(b)] as [number, number];
        }),
      }));
  });
}

/** The hash slot of a key, as Redis computes it. */
export async function slotOf(cluster: LocalRedisCluster, key: string): Promise<number> {
  return withNodes(cluster, async (nodes) => {
    const first = [...nodes.values()][0];
    if (!first) throw new Error('a cluster without nodes');
    return slotReply.parse(await first.cluster('KEYSLOT', key));
  });
}

export function serves(master: ClusterMaster, slot: number): boolean {
  return master.ranges.some(([a, b]) => slot >= a && slot <= b);
}

/**
 * Moves one slot, with its keys, from the master serving it to `to`, the way `redis-cli --cluster
 * reshard` does (IMPORTING/MIGRATING, MIGRATE each key, then SETSLOT NODE on every master), so
 * clients holding the old slot map meet MOVED.
 */
export async function moveSlot(cluster: LocalRedisCluster, slot: number, to: ClusterMaster): Promise<void> {
  const from = (await clusterMasters(cluster)).find((master) => serves(master, slot));
  if (!from) throw new Error(`no master serves slot ${slot}`);
  if (from.id === to.id) throw new Error(`slot ${slot} is already on ${to.port}`);
  await withNodes(cluster, async (nodes) => {
    const source = nodes.get(from.port);
    const target = nodes.get(to.port);
    if (!source || !target) throw new Error('source or target is not a node of this cluster');
    await target.cluster('SETSLOT', slot, 'IMPORTING', from.id);
    await source.cluster('SETSLOT', slot, 'MIGRATING', to.id);
    for (;;) {
      const keys = z.array(z.string()).parse(await source.cluster('GETKEYSINSLOT', slot, 100));
      if (keys.length === 0) break;
      await source.migrate('127.0.0.1', to.port, '', 0, 5000, 'KEYS', ...keys);
    }
    for (const node of nodes.values()) await node.cluster('SETSLOT', slot, 'NODE', to.id);
  });
}
