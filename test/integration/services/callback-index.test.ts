import { Redis } from 'ioredis';
import { CallbackOutbox, callbackId, movingMark } from '../../../bitrix/callback-outbox';
import { randomId } from '../../../lib/hash';
import { callbackScripts } from '../../../redis/callback-scripts';
import { createKeys } from '../../../redis/keys';
import { createManualClock } from '../../helpers/manual-clock';
import { type CommandWatch, watchCommands } from '../../helpers/redis-monitor';

/**
 * The global index of portals with due callbacks (one key for every portal, outside any portal's
 * slot): a burst of results writes it once, and a callback due earlier than everything queued
 * always moves the portal's due time, and an index write a crash or a failure left out is repaired
 * by the next callback (callback-enqueue-3.lua).
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
  /** What a process that crashed between the outbox script and the index write leaves behind. */
  const queueWithoutIndex = async (memberId: string, c: ReturnType<typeof callback>) =>
    callbackScripts.enqueueCallback(
      redis,
      keys.callbackPending(memberId),
      keys.callbackDue(memberId),
      keys.callbackIndexed(memberId),
      {
        id: callbackId(c.eventToken),
        json: JSON.stringify({ ...c, attempts: 0, queuedAt: clock.now() }),
        dueMs: clock.now(),
      },
      { token: 'crashed', pendingTtlMs: 60_000 },
    );
  const indexScore = async (memberId: string) => redis.zscore(keys.callbackPortals(), memberId);
  /** The app's round trips naming `memberId`'s index mark since the `since`-th command seen. */
  const markRoundTripsSince = async (memberId: string, since: number) =>
    (await watch.seen())
      .slice(since)
      .filter((c) => !c.fromScript && c.name !== 'eval' && c.args.includes(keys.callbackIndexed(memberId)))
      .map((c) => c.name);

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
    await redis.del(keys.callbackIndexed('retry'));
    clock.advance(1000);
    await outbox.enqueue('retry', callback(2));
    expect(Number(await indexScore('retry'))).toBe(first + 1000);
  });

  it('a repeated event token is not queued twice but marks the portal again (repairs an index a crash left out)', async () => {
    await queueWithoutIndex('repeat', callback(1));
    expect(await outbox.enqueue('repeat', callback(1))).toBe(false);
    expect(await indexScore('repeat')).not.toBeNull();
    expect(await outbox.pendingCount('repeat')).toBe(1);
  });

  it('a callback queued behind one whose index write never happened (a crash) writes the index', async () => {
    await queueWithoutIndex('crash', callback(1));
    clock.advance(5);
    expect(await outbox.enqueue('crash', callback(2))).toBe(true);
    expect(Number(await indexScore('crash'))).toBe(clock.now());
  });

  it('a callback queued behind one whose index write failed writes the index', async () => {
    let failOnce = true;
    const failing = new (class extends CallbackOutbox {
      override async markDue(memberId: string, dueMs: number): Promise<void> {
        if (failOnce) {
          failOnce = false;
          throw new Error('the index node timed out');
        }
        await super.markDue(memberId, dueMs);
      }
    })(redis, keys, clock);
    await expect(failing.enqueue('failed', callback(1))).rejects.toThrow(/timed out/);
    clock.advance(5);
    expect(await failing.enqueue('failed', callback(2))).toBe(true);
    expect(Number(await indexScore('failed'))).toBe(clock.now());
  });

  it('a callback queued behind a wait-end one whose index write never happened writes the index', async () => {
    // wait-end-10.lua queues its callback straight into the outbox; the wait service marks after.
    const at = clock.now();
    await redis.hset(keys.callbackPending('wait-end'), 'w1', JSON.stringify({ ...callback(9), queuedAt: at }));
    await redis.zadd(keys.callbackDue('wait-end'), at, 'w1');
    clock.advance(5);
    await outbox.enqueue('wait-end', callback(1));
    expect(await indexScore('wait-end')).not.toBeNull();
  });

  it("results queued while another's index write is under way write the index too, and that write's confirm still lands", async () => {
    // The first result of a busy portal: its script ran, its index write and confirm not yet.
    const first = await callbackScripts.enqueueCallback(
      redis,
      keys.callbackPending('busy'),
      keys.callbackDue('busy'),
      keys.callbackIndexed('busy'),
      {
        id: callbackId(callback(1).eventToken),
        json: JSON.stringify({ ...callback(1), queuedAt: 1 }),
        dueMs: clock.now(),
      },
      { token: 'first', pendingTtlMs: 60_000 },
    );
    expect(first).toEqual({ queued: true, mustIndex: true, mustConfirm: true });
    const firstDue = clock.now();
    clock.advance(5);
    const before = (await watch.seen()).length;
    const indexWritesSince = async () =>
      (await watch.seen()).slice(before).filter((c) => c.args[0] === keys.callbackPortals() && c.name === 'zadd');
    // Another job's result meanwhile: it cannot rely on a write that may yet fail, so it writes too.
    expect(await outbox.enqueue('busy', callback(2))).toBe(true);
    expect(await indexWritesSince()).toHaveLength(1);
    // …but confirms nothing (a confirm of another's mark could only fail): of its round trips, only
    // its enqueue script names the mark.
    expect(await markRoundTripsSince('busy', before)).toEqual(['evalsha']);
    expect(await redis.get(keys.callbackIndexed('busy'))).toBe('p:first');
    // The first write done: its confirm lands, and the results after it write nothing.
    await outbox.markDue('busy', firstDue);
    expect(
      await callbackScripts.confirmCallbackIndexed(redis, keys.callbackIndexed('busy'), 'first', firstDue, 5000),
    ).toBe(true);
    clock.advance(5);
    expect(await outbox.enqueue('busy', callback(3))).toBe(true);
    expect(await indexWritesSince()).toHaveLength(2);
    expect(await outbox.pendingCount('busy')).toBe(3);
  });

  it('a confirmed mark a dispatcher dropped (it moved the index) is not trusted: the next callback writes', async () => {
    await outbox.enqueue('moved', callback(1));
    // As the dispatcher's reindex of a move not alone: the index moved (here: removed), then the mark dropped.
    await redis.zrem(keys.callbackPortals(), 'moved');
    await redis.del(keys.callbackIndexed('moved'));
    clock.advance(5);
    await outbox.enqueue('moved', callback(2));
    expect(Number(await indexScore('moved'))).toBe(clock.now());
  });

  it("a result queued behind a dispatcher's move (its moving mark) writes the index and confirms nothing", async () => {
    await outbox.enqueue('dropped', callback(1));
    // As the dispatcher's reindex: the moving mark set first, then the index moved (here: removed).
    const moving = movingMark();
    await redis.set(keys.callbackIndexed('dropped'), moving, 'PX', 60_000);
    await redis.zrem(keys.callbackPortals(), 'dropped');
    clock.advance(5);
    const before = (await watch.seen()).length;
    await outbox.enqueue('dropped', callback(2));
    expect(Number(await indexScore('dropped'))).toBe(clock.now());
    expect(await markRoundTripsSince('dropped', before)).toEqual(['evalsha']);
    expect(await redis.get(keys.callbackIndexed('dropped'))).toBe(moving);
  });
});
