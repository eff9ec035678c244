import { Redis } from 'ioredis';
import { randomId } from '../../../lib/hash';
import { createKeys } from '../../../redis/keys';
import { ConfigCache } from '../../../store/config-cache';

/**
 * A portal's config version is read before every job's records (store/config-cache.ts). Jobs of one
 * portal start in bursts (a batch of Redis answers starts several at once): the reads asked for in
 * one tick share one GET, issued after all of them — and a read asked for once that GET went out is
 * a read of its own, so it never misses a version written before it was asked.
 */
describe('config version reads (real Redis)', () => {
  const url = process.env.TEST_REDIS_URL ?? '';
  let redis: Redis;
  const afterTick = () => new Promise<void>((resolve) => setImmediate(resolve));

  /** Fresh keys (portals m1 at v1, m2 at w1) and a cache of its own for each test. */
  async function setup() {
    const keys = createKeys(`cv${randomId(4).replace(/[^a-zA-Z0-9]/g, 'x')}`);
    await redis.set(keys.configVersion('m1'), 'v1');
    await redis.set(keys.configVersion('m2'), 'w1');
    return { keys, cache: new ConfigCache(redis, keys) };
  }

  beforeAll(() => {
    if (!url) throw new Error('TEST_REDIS_URL is not set: run through jest');
    redis = new Redis(url);
  });
  afterEach(() => {
    jest.restoreAllMocks();
  });
  afterAll(() => {
    redis.disconnect();
  });

  it("reads of one portal asked in the same tick share one GET; another portal's is its own", async () => {
    const { keys, cache } = await setup();
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

  it('the shared GET goes out after every caller that shares it (one asking a few microtasks later too)', async () => {
    const { cache } = await setup();
    const order: string[] = [];
    const get = redis.get.bind(redis);
    jest.spyOn(redis, 'get').mockImplementation((key) => {
      order.push('get');
      return get(key);
    });
    const first = cache.version('m1');
    order.push('call 1');
    await Promise.resolve();
    await Promise.resolve();
    const second = cache.version('m1');
    order.push('call 2');
    expect(await Promise.all([first, second])).toEqual(['v1', 'v1']);
    expect(order).toEqual(['call 1', 'call 2', 'get']);
  });

  it('a read asked once the shared GET went out is its own: it sees a version written meanwhile', async () => {
    const { keys, cache } = await setup();
    // The first GET is held unanswered (as if it ran in Redis before the write below).
    let answerFirst: (value: string) => void = () => undefined;
    const get = redis.get.bind(redis);
    const spy = jest
      .spyOn(redis, 'get')
      .mockImplementationOnce(() => new Promise<string>((resolve) => (answerFirst = resolve)))
      .mockImplementation((key) => get(key));
    const first = cache.version('m1');
    await afterTick();
    expect(spy).toHaveBeenCalledTimes(1);
    await redis.set(keys.configVersion('m1'), 'v2');
    const second = cache.version('m1');
    expect(await second).toBe('v2');
    expect(spy).toHaveBeenCalledTimes(2);
    answerFirst('v1');
    expect(await first).toBe('v1');
  });

  it('a failed shared read fails every caller that shared it, and the next read is its own', async () => {
    const { cache } = await setup();
    const get = jest.spyOn(redis, 'get').mockRejectedValueOnce(new Error('connection reset'));
    const shared = [cache.version('m1'), cache.version('m1')];
    await expect(shared[0]).rejects.toThrow(/connection reset/);
    await expect(shared[1]).rejects.toThrow(/connection reset/);
    expect(get).toHaveBeenCalledTimes(1);
    expect(await cache.version('m1')).toBe('v1');
  });
});
