import { Redis } from 'ioredis';
import { CallbackOutbox, INDEX_MARK_TTL_MS, movingMark } from '../../../bitrix/callback-outbox';
import type { PortalClient } from '../../../bitrix/portal-client';
import { randomId } from '../../../lib/hash';
import { createLogger } from '../../../lib/logger';
import { createMetrics } from '../../../lib/metrics';
import { callbackScripts } from '../../../redis/callback-scripts';
import { createKeys } from '../../../redis/keys';
import { ActivityLog } from '../../../store/activity-log';
import { CallbackDispatcher } from '../../../workers/callback-dispatcher';
import { createManualClock } from '../../helpers/manual-clock';

/**
 * A dispatcher's reindex ends its move of the portal's index entry (callback-moved-1.lua): a portal
 * that left the index loses its mark (the next result writes the index); one still due keeps a
 * confirmed mark at the score written, so a busy portal's results stop writing the index after
 * every batch — and a move another dispatcher began meanwhile is never confirmed by this one.
 */
describe('callback dispatcher: the index mark after a move', () => {
  const url = process.env.TEST_REDIS_URL ?? '';
  let redis: Redis;
  let subscriber: Redis;
  const keys = createKeys(`cim${randomId(4).replace(/[^a-zA-Z0-9]/g, 'x')}`);
  const clock = createManualClock();
  let outbox: CallbackOutbox;
  let dispatcher: CallbackDispatcher;
  const sent: string[] = [];
  const portal = (memberId: string): PortalClient => ({
    memberId,
    call: async () => Promise.reject(new Error('not used')),
    async batch(commands) {
      sent.push(...Object.keys(commands));
      return { results: Object.fromEntries(Object.keys(commands).map((k) => [k, true])), errors: {} };
    },
  });
  const callback = (n: number) => ({
    eventToken: `wf|A${n}|tok.sig`,
    returnValues: { n: String(n) },
    logMessage: 'ok',
  });
  const mark = (memberId: string) => redis.get(keys.callbackIndexed(memberId));
  const indexScore = async (memberId: string) => Number(await redis.zscore(keys.callbackPortals(), memberId));

  beforeAll(() => {
    if (!url) throw new Error('TEST_REDIS_URL is not set: run through jest');
    redis = new Redis(url);
    subscriber = new Redis(url);
    outbox = new CallbackOutbox(redis, keys, clock);
    dispatcher = new CallbackDispatcher({
      redis,
      subscriber,
      keys,
      outbox,
      bitrix: Object.assign(portal, { probe: async () => ({ installed: true }) }),
      clock,
      metrics: createMetrics(),
      log: createLogger('silent'),
      activity: new ActivityLog(redis, keys),
      safetyPollMs: 60_000,
    });
  });
  afterEach(() => {
    jest.restoreAllMocks();
  });
  afterAll(async () => {
    await dispatcher.stop();
    redis.disconnect();
    subscriber.disconnect();
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

  it("a move's end confirms only its own moving mark: another's move begun meanwhile keeps its mark", async () => {
    const key = keys.callbackIndexed('moves');
    const mine = movingMark();
    const other = movingMark();
    await redis.set(key, other, 'PX', 60_000);
    expect(await callbackScripts.endIndexMove(redis, key, mine, 1234, INDEX_MARK_TTL_MS)).toBe(false);
    expect(await redis.get(key)).toBe(other);
    expect(await callbackScripts.endIndexMove(redis, key, other, 1234, INDEX_MARK_TTL_MS)).toBe(true);
    expect(await redis.get(key)).toBe('1234');
    // A confirmed mark lapses like an enqueuer's.
    expect(await redis.pttl(key)).toBeLessThanOrEqual(INDEX_MARK_TTL_MS);
    await redis.set(key, mine, 'PX', 60_000);
    expect(await callbackScripts.endIndexMove(redis, key, mine, -1, INDEX_MARK_TTL_MS)).toBe(true);
    expect(await redis.get(key)).toBeNull();
  });
});
