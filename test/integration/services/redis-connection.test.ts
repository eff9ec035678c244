import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { randomId } from '../../../lib/hash';
import { freePort } from '../../../lib/redis-server';
import { createRedis, waitReady } from '../../../redis/connect';
import { loaded } from '../../../redis/script-files';
import { scripts } from '../../../redis/scripts';
import { WriteCoalescingRedis } from '../../../redis/write-coalescing';
import { resourcesLeft } from '../../helpers/child-script';

const redisUrl = process.env.TEST_REDIS_URL ?? '';
const key = (name: string) => `rc${randomId(4).replace(/[^a-zA-Z0-9]/g, 'x')}:${name}`;

describe('the worker connection (real Redis)', () => {
  it('a worker connection coalesces its writes; what BullMQ blocks on (its duplicate) is a plain one, where a blocking command and an ordinary one both answer', async () => {
    const shared = createRedis(redisUrl, 'worker');
    if (shared.isCluster) throw new Error('this test runs on one Redis');
    // BullMQ 6.7 makes a worker's blocking connection with `client.duplicate()` (create-backend.js).
    const blocking = shared.duplicate();
    try {
      await waitReady(blocking);
      expect(shared).toBeInstanceOf(WriteCoalescingRedis);
      expect(blocking).not.toBeInstanceOf(WriteCoalescingRedis);
      // ioredis' auto-pipelining is used nowhere (redis/write-coalescing.ts says why).
      expect(shared.options.enableAutoPipelining).toBe(false);
      const list = key('jobs');
      const waiting = blocking.bzpopmin(list, 0.05);
      const plain = blocking.get(list);
      await expect(Promise.all([waiting, plain])).resolves.toEqual([null, null]);
    } finally {
      blocking.disconnect();
      shared.disconnect();
    }
  });
});

describe('scripts after the script cache is lost (real Redis)', () => {
  it('SCRIPT FLUSH mid-run: calls in flight and after it answer NOSCRIPT, then run by EVAL and re-cache', async () => {
    const redis = createRedis(redisUrl, 'worker');
    const admin = new Redis(redisUrl);
    const script = loaded.get('recent-push-1');
    if (!script) throw new Error('recent-push-1 not loaded');
    const sha = createHash('sha1').update(script.lua).digest('hex');
    const list = key('recent');
    try {
      const push = (i: number) => scripts.pushRecent(redis, list, `e${i}`, 100, 60);
      await Promise.all([0, 1, 2, 3, 4].map(push));
      expect(await admin.script('EXISTS', sha)).toEqual([1]);
      await admin.script('FLUSH');
      expect(await admin.script('EXISTS', sha)).toEqual([0]);
      // The same turn's calls share one write: each gets NOSCRIPT and falls back on its own.
      await Promise.all([5, 6, 7, 8, 9].map(push));
      expect(await admin.script('EXISTS', sha)).toEqual([1]);
      const entries = await admin.lrange(list, 0, -1);
      expect([...entries].sort()).toEqual(['e0', 'e1', 'e2', 'e3', 'e4', 'e5', 'e6', 'e7', 'e8', 'e9']);
    } finally {
      redis.disconnect();
      admin.disconnect();
    }
  });
});

/**
 * What is left to hold a process that disconnects its connection to a Redis that is down, once
 * refused and waiting to try again (the socket ioredis holds has closed for good).
 */
async function leftAfterDisconnect(options: { disconnectTimeoutMs?: number }): Promise<string[]> {
  const connect = join(__dirname, '../../../redis/connect.ts');
  const script = `
    const dead = require(${JSON.stringify(connect)}).createRedis(process.argv[1], 'http', JSON.parse(process.argv[2]));
    dead.on('error', () => undefined);
    dead.once('reconnecting', () => { dead.disconnect(); printResourcesLeft(); });`;
  return resourcesLeft(script, [`redis://127.0.0.1:${await freePort()}`, JSON.stringify(options)]);
}

describe('disconnecting a connection whose Redis is down', () => {
  it('with disconnectTimeoutMs 0 leaves no timer to hold the process', async () => {
    expect(await leftAfterDisconnect({ disconnectTimeoutMs: 0 })).not.toContain('Timeout');
  });

  it("by default leaves ioredis' 2 s wait for a close already past (why the option exists)", async () => {
    expect(await leftAfterDisconnect({})).toContain('Timeout');
  });
});
