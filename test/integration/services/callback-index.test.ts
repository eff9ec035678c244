import { Redis } from 'ioredis';
import { CallbackOutbox } from '../../../bitrix/callback-outbox';
import { randomId } from '../../../lib/hash';
import { createKeys } from '../../../redis/keys';
import { createManualClock } from '../../helpers/manual-clock';
import { type CommandWatch, watchCommands } from '../../helpers/redis-monitor';

/**
 * The global index of portals with due callbacks (one key for every portal, outside any portal's
 * slot): a burst of results writes it once, and a callback due earlier than everything queued
 * always moves the portal's due time (callback-enqueue-2.lua).
 */
describe('callback outbox: the global index of due portals', () => {
  const url = process.env.TEST_REDIS_URL ?? '';
  let redis: Redis;
  let watch: CommandWatch;
  const prefix = `cbi${randomId(4).replace(/[^a-zA-Z0-9]/g, 'x')}`;
  const keys = createKeys(prefix);
  const clock = createManualClock();
  let outbox: CallbackOutbox;
  const callback = (n: number) => ({
    eventToken: `wf|A${n}|tok.sig`,
    returnValues: { status: 'sent' },
    logMessage: 'ok',
  });
  const indexScore = async (memberId: string) => redis.zscore(keys.callbackPortals(), memberId);

  beforeAll(async () => {
    if (!url) throw new Error('TEST_REDIS_URL is not set: run through jest');
    redis = new Redis(url);
    outbox = new CallbackOutbox(redis, keys, clock);
    watch = await watchCommands(url, prefix);
  });
  afterAll(async () => {
    await watch.stop();
    redis.disconnect();
  });

  it('ten callbacks of one portal in a burst write the index once; each is queued', async () => {
    for (let n = 0; n < 10; n += 1) {
      expect(await outbox.enqueue('burst', callback(n))).toBe(true);
      clock.advance(5);
    }
    expect(await outbox.pendingCount('burst')).toBe(10);
    expect(Number(await indexScore('burst'))).toBe(clock.now() - 50);
    const indexWrites = (await watch.seen()).filter((c) => c.args[0] === keys.callbackPortals() && c.name === 'zadd');
    expect(indexWrites).toHaveLength(1);
  });

  it('a callback due before everything queued (a retry set for later) moves the portal earlier', async () => {
    await outbox.enqueue('retry', callback(1));
    const first = clock.now();
    // As the dispatcher settles a retried row: due a minute later, and the index follows.
    await redis.zadd(
      keys.callbackDue('retry'),
      first + 60_000,
      (await redis.zrange(keys.callbackDue('retry'), 0, 0))[0] ?? '',
    );
    await redis.zadd(keys.callbackPortals(), first + 60_000, 'retry');
    clock.advance(1000);
    await outbox.enqueue('retry', callback(2));
    expect(Number(await indexScore('retry'))).toBe(first + 1000);
  });

  it('a repeated event token is not queued twice but marks the portal again (repairs an index a crash left out)', async () => {
    await outbox.enqueue('repeat', callback(1));
    await redis.zrem(keys.callbackPortals(), 'repeat');
    expect(await outbox.enqueue('repeat', callback(1))).toBe(false);
    expect(await indexScore('repeat')).not.toBeNull();
    expect(await outbox.pendingCount('repeat')).toBe(1);
  });
});
