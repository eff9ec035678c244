import { Redis } from 'ioredis';
import { randomId } from '../../../lib/hash';
import { createKeys } from '../../../redis/keys';
import { ConfigCache } from '../../../store/config-cache';

/**
 * A portal's config version is read before every job's records (store/config-cache.ts). Jobs of one
 * portal start in bursts (a batch of Redis answers starts several at once): the reads asked for in
 * one turn of the event loop share one GET, issued after all of them — and a read asked for once
 * that GET went out is a read of its own, so it never misses a version written before it was asked.
 */
describe('config version reads (real Redis)', () => {
  const url = process.env.TEST_REDIS_URL ?? '';
  let redis: Redis;
  const keys = createKeys(`cv${randomId(4).replace(/[^a-zA-Z0-9]/g, 'x')}`);
  let cache: ConfigCache;
  const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

  beforeAll(async () => {
    if (!url) throw new Error('TEST_REDIS_URL is not set: run through jest');
    redis = new Redis(url);
    cache = new ConfigCache(redis, keys);
    await redis.set(keys.configVersion('m1'), 'v1');
    await redis.set(keys.configVersion('m2'), 'w1');
  });
  afterEach(() => {
    jest.restoreAllMocks();
  });
  afterAll(() => {
    redis.disconnect();
  });

  it("reads of one portal asked in the same turn share one GET; another portal's is its own", async () => {
    const get = jest.spyOn(redis, 'get');
    const versions = await Promise.all([
      cache.version('m1'),
      cache.version('m1'),
      cache.version('m2'),
      cache.version('m1'),
    ]);
    expect(versions).toEqual(['v1', 'v1', 'w1', 'v1']);
    expect(get.mock.calls.map(([key]) => key)).toEqual([keys.configVersion('m1'), keys.configVersion('m2')]);
  });

  it('a read asked after the shared GET went out sees a version written in between', async () => {
    const first = cache.version('m1');
    // The shared read's turn: its GET is on the connection now, ahead of the write below.
    await nextTurn();
    await redis.set(keys.configVersion('m1'), 'v2');
    const second = cache.version('m1');
    expect(await first).toBe('v1');
    expect(await second).toBe('v2');
  });

  it('a failed shared read fails every caller that shared it, and the next read is its own', async () => {
    jest.spyOn(redis, 'get').mockRejectedValueOnce(new Error('connection reset'));
    const shared = [cache.version('m1'), cache.version('m1')];
    await expect(Promise.all(shared)).rejects.toThrow(/connection reset/);
    await expect(shared[1]).rejects.toThrow(/connection reset/);
    expect(await cache.version('m1')).toBe('v2');
  });
});
