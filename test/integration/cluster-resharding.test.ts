import type { Cluster } from 'ioredis';
import { type LocalRedisCluster, startRedisCluster } from '../../lib/redis-cluster';
import { createRedis, type RedisClient } from '../../redis/connect';
import { run } from '../../redis/scripts';
import { clusterMasters, moveSlot, serves, slotOf } from '../helpers/cluster-slots';
import { defined } from '../helpers/defined';

/**
 * A worker's connection (createRedis 'worker', as workers/main.ts makes it)
 * on a Redis Cluster whose slots move (a resharding, a scale-out): the commands of a moved slot
 * follow MOVED and are applied, beside those of a slot that stayed on the same master. With
 * ioredis' auto-pipelining on a cluster (redis/ioredis#2075) they all failed with MOVED, for good.
 */
describe('a worker connection while a Redis Cluster reshards', () => {
  let cluster: LocalRedisCluster;
  let client: RedisClient;
  beforeAll(async () => {
    cluster = await startRedisCluster({ masters: 3 });
    client = createRedis(cluster.url, 'worker');
  });
  afterAll(async () => {
    client?.disconnect();
    await cluster?.stop();
  });

  it('commands and scripts on a moved slot reach its new master, beside a slot that stayed', async () => {
    const moved = 'wa:{portal-moved}:counter';
    const masters = await clusterMasters(cluster);
    const movedSlot = await slotOf(cluster, moved);
    const home = defined(
      masters.find((m) => serves(m, movedSlot)),
      'master of the moved slot',
    );
    // A portal whose slot is another one on the same master: its commands share the node's batches.
    let stayed = '';
    for (let n = 0; n < 5000 && !stayed; n += 1) {
      const key = `wa:{portal-${n}}:counter`;
      const slot = await slotOf(cluster, key);
      if (slot !== movedSlot && serves(home, slot)) stayed = key;
    }
    expect(stayed).not.toBe('');
    await client.set(moved, '0');
    await client.set(stayed, '0');
    // The client's slot map is loaded and names `home` for both: the move makes it stale.
    expect((client as Cluster).slots[movedSlot]?.[0]).toBe(`127.0.0.1:${home.port}`);
    const target = defined(
      masters.find((m) => m.id !== home.id),
      'another master',
    );
    await moveSlot(cluster, movedSlot, target);

    const rounds = 5;
    for (let round = 0; round < rounds; round += 1) {
      // Issued in one tick, as a worker's concurrent jobs issue theirs.
      await Promise.all([
        client.incr(moved),
        client.incr(stayed),
        client.get(moved),
        run(client, 'field-max-1', [`${moved}:max`], ['f', String(round)]),
      ]);
    }
    expect(await client.get(moved)).toBe(String(rounds));
    expect(await client.get(stayed)).toBe(String(rounds));
    expect(await client.hget(`${moved}:max`, 'f')).toBe(String(rounds - 1));
  });
});
