import { Redis } from 'ioredis';
import { type LocalRedisServer, startRedisServer } from '../../../lib/redis-server';
import { createRedis, waitReady } from '../../../redis/connect';
import { scripts } from '../../../redis/scripts';
import { WriteCoalescingRedis } from '../../../redis/write-coalescing';

/**
 * The web process's connections (redis/write-coalescing.ts), on a Redis of this test's own: its
 * `total_reads_processed` counts only what this file sends.
 */
describe('the web connection: one write per event-loop turn (real Redis)', () => {
  let server: LocalRedisServer;
  let admin: Redis;

  beforeAll(async () => {
    server = await startRedisServer();
    admin = new Redis(server.url);
  });
  afterAll(async () => {
    admin.disconnect();
    await server.stop();
  });

  /** Reads Redis made from client sockets so far; the INFO asking it is one of them. */
  async function readsSoFar(): Promise<number> {
    const match = /total_reads_processed:(\d+)/.exec(await admin.info('stats'));
    if (!match?.[1]) throw new Error('INFO stats has no total_reads_processed');
    return Number(match[1]);
  }

  /** A connection of the role's kind, typed as what createRedis made (the web's is `http`). */
  function connection(role: 'http' | 'worker'): WriteCoalescingRedis {
    const redis = createRedis(server.url, role);
    if (!(redis instanceof WriteCoalescingRedis)) throw new Error(`the ${role} role on one Redis coalesces its writes`);
    return redis;
  }

  /** Reads Redis made for 50 commands issued in one turn (the INFO after them excluded). */
  async function readsForFifty(redis: Redis): Promise<number> {
    await waitReady(redis);
    await redis.ping();
    const before = await readsSoFar();
    const answers = await Promise.all(Array.from({ length: 50 }, (_, i) => redis.set(`wc:read:${i}`, String(i))));
    expect(answers).toEqual(Array(50).fill('OK'));
    return (await readsSoFar()) - before - 1;
  }

  it('a turn of commands reaches Redis in one read', async () => {
    const web = connection('http');
    try {
      // A plain connection writes each command on its own: Redis read 15 of 20 such writes apart
      // here (not asserted: it reads what has arrived, so a stalled Redis could read them all at once).
      expect(await readsForFifty(web)).toBe(1);
    } finally {
      web.disconnect();
    }
  });

  it("the web's connection writes when the issuing callback is done, a worker's when the turn's I/O is", async () => {
    const web = connection('http');
    const worker = connection('worker');
    try {
      await Promise.all([waitReady(web), waitReady(worker)]);
      const corkedAfterTick = async (redis: Redis) => {
        const answer = redis.get('wc:flush');
        // This tick is queued after the one the first command's cork scheduled (if any).
        const corked = await new Promise<number>((resolve) =>
          process.nextTick(() => resolve(redis.stream.writableCorked)),
        );
        await answer;
        return corked;
      };
      expect(await corkedAfterTick(web)).toBe(0);
      expect(await corkedAfterTick(worker)).toBe(1);
    } finally {
      web.disconnect();
      worker.disconnect();
    }
  });

  it('MULTIs alone in a turn share its write too', async () => {
    const web = connection('http');
    try {
      await waitReady(web);
      await web.ping();
      const before = await readsSoFar();
      const results = await Promise.all(
        Array.from({ length: 10 }, (_, i) => web.multi().set(`wc:multi:${i}`, String(i)).get(`wc:multi:${i}`).exec()),
      );
      expect(results.map((r) => r?.[1]?.[1])).toEqual(Array.from({ length: 10 }, (_, i) => String(i)));
      expect((await readsSoFar()) - before - 1).toBe(1);
    } finally {
      web.disconnect();
    }
  });

  it('the worker role (offline queue on): commands issued while it connects are answered in order, and a turn reaches Redis in one read', async () => {
    const worker = connection('worker');
    try {
      // Issued before the connection is ready: queued, then written when it is (the flush is one turn).
      expect(worker.status).not.toBe('ready');
      const key = 'wc:worker';
      const early = await Promise.all([worker.del(key), worker.incr(key), worker.incr(key), worker.get(key)]);
      expect(early).toEqual([expect.any(Number), 1, 2, '2']);
      expect(await readsForFifty(worker)).toBe(1);
    } finally {
      worker.disconnect();
    }
  });

  it('commands, a pipeline, a MULTI and a script issued in one turn keep their order and each gets its answer', async () => {
    const web = connection('http');
    try {
      await waitReady(web);
      const key = 'wc:order';
      const list = 'wc:order:list';
      await web.del(key, list);
      const [set, first, piped, multi, pushed, last] = await Promise.all([
        web.set(key, '1'),
        web.incr(key),
        web.pipeline().incr(key).get(key).exec(),
        web.multi().incr(key).get(key).exec(),
        scripts.pushRecent(web, list, 'entry', 10, 60),
        web.get(key),
      ]);
      expect([set, first]).toEqual(['OK', 2]);
      expect(piped).toEqual([
        [null, 3],
        [null, '3'],
      ]);
      expect(multi).toEqual([
        [null, 4],
        [null, '4'],
      ]);
      expect(pushed).toBeUndefined();
      expect(last).toBe('4');
      expect(await web.lrange(list, 0, -1)).toEqual(['entry']);
    } finally {
      web.disconnect();
    }
  });

  it('a socket cut before its turn ends: nothing hangs, a command while it reconnects fails at once, then it answers again', async () => {
    const web = connection('http');
    web.on('error', () => undefined);
    try {
      await waitReady(web);
      const reconnecting = new Promise((resolve) => web.once('reconnecting', resolve));
      const pending = [web.set('wc:cut', '1'), web.get('wc:cut'), web.pipeline().get('wc:cut').exec()];
      // Cut in the same turn: the commands are still in the corked socket's buffer. ioredis resends
      // them after the reconnect (maxRetriesPerRequest 1), as it does a plain connection's unanswered ones.
      web.stream.destroy();
      await reconnecting;
      // No offline queue: refused at once, never held behind the cut turn.
      await expect(web.get('wc:cut')).rejects.toThrow(/enableOfflineQueue/);
      const settled = await Promise.allSettled(pending);
      expect(settled).toEqual([
        { status: 'fulfilled', value: 'OK' },
        { status: 'fulfilled', value: '1' },
        { status: 'fulfilled', value: [[null, '1']] },
      ]);
      expect(await web.ping()).toBe('PONG');
    } finally {
      web.disconnect();
    }
  });
});
