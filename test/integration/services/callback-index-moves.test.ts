import { INDEX_MARK_TTL_MS, INDEX_MOVING_MARK, movingMark } from '../../../bitrix/callback-outbox';
import { callbackScripts } from '../../../redis/callback-scripts';
import { callbackTestEnv } from '../../helpers/callback-dispatcher-env';
import { eventually } from '../../helpers/harness';

/**
 * A dispatcher's reindex ends its move of the portal's index entry (callback-moved-2.lua): a portal
 * that left the index loses its mark (the next result writes the index); one still due keeps a
 * confirmed mark at the score written, so a busy portal's results stop writing the index after
 * every batch — and a move another dispatcher began meanwhile is never confirmed by this one.
 */
describe('callback dispatcher: the index mark after a move', () => {
  const env = callbackTestEnv('cim');
  const { redis, keys, clock, outbox, sent } = env;
  const dispatcher = env.dispatcher();
  const callback = (n: number) => ({
    eventToken: `wf|A${n}|tok.sig`,
    returnValues: { n: String(n) },
    logMessage: 'ok',
  });
  const mark = (memberId: string) => redis.get(keys.callbackIndexed(memberId));
  const indexScore = async (memberId: string) => Number(await redis.zscore(keys.callbackPortals(), memberId));

  afterEach(() => {
    jest.restoreAllMocks();
  });
  afterAll(async () => {
    await dispatcher.stop();
    env.close();
  });

  it('a batch that leaves callbacks due confirms the mark at the score written: the next results write no index', async () => {
    const first = clock.now();
    for (let n = 0; n < 60; n += 1) await outbox.enqueue('busy', callback(n));
    clock.advance(10);
    expect(await dispatcher.drainOnce('busy')).toBe(true);
    expect(sent).toHaveLength(50);
    // Ten still due (queued at `first`): the index holds the portal there, and the mark says so.
    expect(await indexScore('busy')).toBe(first);
    expect(await mark('busy')).toBe(String(first));
    const markDue = jest.spyOn(outbox, 'markDue');
    for (let n = 60; n < 65; n += 1) await outbox.enqueue('busy', callback(n));
    expect(markDue).not.toHaveBeenCalled();
    // …and they are sent by the portal's next visit all the same.
    expect(await dispatcher.drainOnce('busy')).toBe(true);
    expect(sent).toHaveLength(65);
    expect(await outbox.pendingCount('busy')).toBe(0);
  });

  it('a batch that empties the outbox drops the mark with the index entry: the next result writes the index', async () => {
    await outbox.enqueue('quiet', callback(1));
    expect(await dispatcher.drainOnce('quiet')).toBe(true);
    expect(await redis.zscore(keys.callbackPortals(), 'quiet')).toBeNull();
    expect(await mark('quiet')).toBeNull();
    clock.advance(5);
    const markDue = jest.spyOn(outbox, 'markDue');
    await outbox.enqueue('quiet', callback(2));
    expect(markDue).toHaveBeenCalledTimes(1);
    expect(await indexScore('quiet')).toBe(clock.now());
  });

  describe('moves of one portal by several dispatchers (the scripts, in the order given)', () => {
    const marksOf = (memberId: string) => ({
      mark: keys.callbackIndexed(memberId),
      moves: keys.callbackMoves(memberId),
    });
    /** One dispatcher's move: begun, its index write, ended (moveIndexEntry's steps, run one by one). */
    const move = (memberId: string, score: number, ttlMs: number = INDEX_MOVING_MARK.ttlMs) => {
      const marks = marksOf(memberId);
      const moving = movingMark();
      let alone = false;
      return {
        start: async () => {
          alone = await callbackScripts.startIndexMove(redis, marks, moving, ttlMs);
          return alone;
        },
        write: async () =>
          score < 0
            ? redis.zrem(keys.callbackPortals(), memberId)
            : redis.zadd(keys.callbackPortals(), score, memberId),
        end: () => callbackScripts.endIndexMove(redis, marks, { moving, alone }, score, INDEX_MARK_TTL_MS),
      };
    };
    /** Redis' own clock in ms (the moves' start times are its, not a dispatcher's). */
    const redisNow = async () => {
      const [seconds, micros] = await redis.time();
      return Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
    };

    it("a move alone confirms the score it wrote; the confirm lapses like an enqueuer's", async () => {
      const d = move('alone', 1000);
      expect(await d.start()).toBe(true);
      await d.write();
      expect(await d.end()).toBe(true);
      expect(await mark('alone')).toBe('1000');
      const ttl = await redis.pttl(keys.callbackIndexed('alone'));
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(INDEX_MARK_TTL_MS);
      // The move is no longer under way: the next one is alone again.
      expect(await redis.zcard(keys.callbackMoves('alone'))).toBe(0);
    });

    it('an earlier move that writes last (removing the portal): no confirm is left, whichever ends first', async () => {
      for (const endsFirst of ['earlier', 'later'] as const) {
        const portal = `late-${endsFirst}`;
        const earlier = move(portal, -1);
        const later = move(portal, 1000);
        expect(await earlier.start()).toBe(true);
        expect(await later.start()).toBe(false);
        await later.write();
        await earlier.write();
        if (endsFirst === 'earlier') await earlier.end();
        expect(await later.end()).toBe(false);
        if (endsFirst === 'later') await earlier.end();
        // The index holds no entry for the portal, so no mark may say it does.
        expect(await redis.zscore(keys.callbackPortals(), portal)).toBeNull();
        expect(await mark(portal)).toBeNull();
      }
    });

    it("a result's confirm that landed before a move's own index write is deleted at that move's end", async () => {
      const earlier = move('stale', -1);
      const later = move('stale', 900);
      await earlier.start();
      await later.start();
      await later.write();
      // Not alone: its end drops its mark, so the next result writes the index and confirms it…
      expect(await later.end()).toBe(false);
      await outbox.enqueue('stale', callback(1));
      expect(await mark('stale')).toBe(String(clock.now()));
      // …before the earlier move's late write removes the portal: that confirm no longer holds.
      await earlier.write();
      expect(await earlier.end()).toBe(false);
      expect(await mark('stale')).toBeNull();
    });

    it("another's move begun since keeps its moving mark; a second move is not alone", async () => {
      const first = move('overlap', 1000);
      const second = move('overlap', 1000);
      await first.start();
      expect(await second.start()).toBe(false);
      expect(await first.end()).toBe(false);
      expect(await mark('overlap')).toMatch(/^p:d:/);
      expect(await second.end()).toBe(false);
      expect(await mark('overlap')).toBeNull();
    });

    it("an older dispatcher's move ('d', unregistered) keeps the moves after it from confirming for the ttl", async () => {
      await redis.set(keys.callbackIndexed('old'), 'd', 'PX', 60_000);
      const next = move('old', 1000);
      expect(await next.start()).toBe(false);
      await next.write();
      expect(await next.end()).toBe(false);
      // Its 'd' is gone now, but that dispatcher may still be writing: the next move is not alone either.
      const after = move('old', 1000);
      expect(await after.start()).toBe(false);
    });

    it('a move older than the ttl is taken for dead; if it ends after all, it leaves no mark', async () => {
      const ttlMs = 30;
      const slow = move('lapsed', -1, ttlMs);
      await slow.start();
      const startedAt = await redisNow();
      await eventually(async () => (await redisNow()) > startedAt + ttlMs, 5000, "Redis' clock past the ttl");
      const d = move('lapsed', 2000);
      expect(await d.start()).toBe(true);
      await d.write();
      expect(await d.end()).toBe(true);
      expect(await mark('lapsed')).toBe('2000');
      // The slow move's late write removes the portal: its end must not leave that confirm standing.
      await slow.write();
      expect(await slow.end()).toBe(false);
      expect(await mark('lapsed')).toBeNull();
    });

    it("a lapsed move that writes and ends between a later move's write and its end leaves no confirm", async () => {
      const ttlMs = 30;
      const slow = move('lapsed-inside', -1, ttlMs);
      await slow.start();
      const startedAt = await redisNow();
      await eventually(async () => (await redisNow()) > startedAt + ttlMs, 5000, "Redis' clock past the ttl");
      const d = move('lapsed-inside', 2000);
      expect(await d.start()).toBe(true);
      await d.write();
      await slow.write();
      expect(await slow.end()).toBe(false);
      expect(await d.end()).toBe(false);
      expect(await redis.zscore(keys.callbackPortals(), 'lapsed-inside')).toBeNull();
      expect(await mark('lapsed-inside')).toBeNull();
    });

    it('a move older than the ttl is pruned by the next start, even while later moves keep the set alive', async () => {
      // Long enough that each step below fits in half of it on a busy machine.
      const ttlMs = 2000;
      const slow = move('pruned', -1, ttlMs);
      await slow.start();
      const t0 = await redisNow();
      await eventually(async () => (await redisNow()) > t0 + ttlMs / 2, 5000, 'half the ttl');
      const keeper = move('pruned', 1000, ttlMs);
      expect(await keeper.start()).toBe(false);
      await keeper.write();
      await keeper.end();
      await eventually(async () => (await redisNow()) > t0 + ttlMs + 5, 5000, 'past the ttl');
      expect(await redis.zcard(keys.callbackMoves('pruned'))).toBe(1);
      const d = move('pruned', 2000, ttlMs);
      expect(await d.start()).toBe(true);
    });

    it("an end resent after a reconnect (its registration gone) leaves an older dispatcher's 'd' for that dispatcher", async () => {
      const d = move('resent', 1000);
      await d.start();
      await d.write();
      expect(await d.end()).toBe(true);
      // Meanwhile an older dispatcher began a move; the first end is resent (ioredis after a reconnect).
      await redis.set(keys.callbackIndexed('resent'), 'd', 'PX', 60_000);
      expect(await d.end()).toBe(false);
      expect(await mark('resent')).toBe('d');
    });
  });
});
