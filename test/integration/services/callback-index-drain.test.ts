import { Redis } from 'ioredis';
import { CallbackOutbox } from '../../../bitrix/callback-outbox';
import type { BatchCommands, PortalClient } from '../../../bitrix/portal-client';
import { randomId } from '../../../lib/hash';
import { createLogger } from '../../../lib/logger';
import { createMetrics } from '../../../lib/metrics';
import { createKeys } from '../../../redis/keys';
import { CallbackDispatcher } from '../../../workers/callback-dispatcher';
import { eventually } from '../../helpers/harness';
import { createManualClock } from '../../helpers/manual-clock';
import { type CommandWatch, watchCommands } from '../../helpers/redis-monitor';

/**
 * The dispatcher's drain and the global index of due portals on a busy portal: a drain that leaves
 * results due now keeps the index as it is (the portal is due in it already), so the results queued
 * around it keep skipping their index write behind the confirmed mark; a drain that leaves nothing
 * due now moves the index as before, and one that finds the index later than its due results (moved
 * by another dispatcher) moves it to them.
 */
describe('callback dispatcher: drains of a busy portal and the index', () => {
  const url = process.env.TEST_REDIS_URL ?? '';
  const prefix = `cbx${randomId(4).replace(/[^a-zA-Z0-9]/g, 'x')}`;
  const keys = createKeys(prefix);
  const clock = createManualClock();
  let redis: Redis;
  let subscriber: Redis;
  let watch: CommandWatch;
  let outbox: CallbackOutbox;
  let dispatcher: CallbackDispatcher;
  const batches: BatchCommands[] = [];
  let seq = 0;
  /** The portal refuses every row (rate-limited) while set. */
  let refuse = false;

  const client = (memberId: string): PortalClient => ({
    memberId,
    call: async () => Promise.reject(new Error('not used')),
    async batch(commands) {
      if (refuse) {
        const refused = { code: 'QUERY_LIMIT_EXCEEDED', description: 'slow down' };
        return { results: {}, errors: Object.fromEntries(Object.keys(commands).map((k) => [k, refused])) };
      }
      batches.push(commands);
      return { results: Object.fromEntries(Object.keys(commands).map((k) => [k, true])), errors: {} };
    },
  });
  /** `count` results of robots, each queued 1 ms after the one before. */
  const queueResults = async (memberId: string, count: number) => {
    for (let n = 0; n < count; n += 1) {
      seq += 1;
      await outbox.enqueue(memberId, {
        eventToken: `wf|A${seq}|tok.sig`,
        returnValues: { status: 'sent' },
        logMessage: 'ok',
      });
      clock.advance(1);
    }
  };
  const indexScore = async (memberId: string) => redis.zscore(keys.callbackPortals(), memberId);
  /** Writes of the global index (by a script or not) seen since the `since`-th command. */
  const indexWritesSince = async (since: number) =>
    (await watch.seen())
      .slice(since)
      .filter((c) => c.args[0] === keys.callbackPortals() && (c.name === 'zadd' || c.name === 'zrem'));

  beforeAll(async () => {
    if (!url) throw new Error('TEST_REDIS_URL is not set: run through jest');
    redis = new Redis(url);
    subscriber = new Redis(url);
    outbox = new CallbackOutbox(redis, keys, clock);
    watch = await watchCommands(url, prefix);
    dispatcher = new CallbackDispatcher({
      redis,
      subscriber,
      keys,
      outbox,
      bitrix: Object.assign(client, { probe: async () => ({ installed: true }) }),
      clock,
      metrics: createMetrics(),
      log: createLogger('silent'),
      safetyPollMs: 60_000,
    });
  });
  afterAll(async () => {
    await watch.stop();
    redis.disconnect();
    subscriber.disconnect();
  });

  it('results keep coming while batches go out: the index is written once, and every result is sent', async () => {
    const before = (await watch.seen()).length;
    await queueResults('busy', 60);
    for (let round = 0; round < 4; round += 1) {
      // A batch of 50 goes out; 10 results stay due; 50 more arrive before the next batch.
      expect(await dispatcher.drainOnce('busy')).toBe(true);
      expect(Number(await indexScore('busy'))).toBeLessThanOrEqual(clock.now());
      await queueResults('busy', 50);
    }
    // The first result's write only: before, every drain moved the index and dropped the confirmed
    // mark (13 writes here, and on a live portal every result queued during a move wrote as well).
    expect(await indexWritesSince(before)).toHaveLength(1);
    expect(Number(await redis.get(keys.callbackIndexed('busy')))).toBeGreaterThan(0);
    // The rest go out from the index as it stands: nothing was stranded.
    await dispatcher.start();
    try {
      dispatcher.wake();
      await eventually(async () => (await outbox.pendingCount('busy')) === 0, 5000, 'every result sent');
      expect(batches.flatMap((b) => Object.keys(b))).toHaveLength(260);
      // Empty now: the portal leaves the index, as before.
      await eventually(async () => (await indexScore('busy')) === null, 5000, 'the portal out of the index');
    } finally {
      await dispatcher.stop();
    }
  });

  it('a drain that finds the index later than the results still due (another dispatcher moved it) moves it to them', async () => {
    await queueResults('moved', 60);
    const firstLeft = clock.now() - 10;
    // As another dispatcher's move that read the outbox while this drain's batch was out.
    await redis.set(keys.callbackIndexed('moved'), 'd', 'PX', 60_000);
    await redis.zadd(keys.callbackPortals(), clock.now() + 60_000, 'moved');
    await redis.del(keys.callbackIndexed('moved'));
    expect(await dispatcher.drainOnce('moved')).toBe(true);
    expect(Number(await indexScore('moved'))).toBe(firstLeft);
  });

  it('a drain that leaves only a retry for later moves the portal to it, as before', async () => {
    await queueResults('later', 1);
    // The row refused for now: retried a second later by the back-off.
    refuse = true;
    try {
      expect(await dispatcher.drainOnce('later')).toBe(true);
    } finally {
      refuse = false;
    }
    expect(Number(await indexScore('later'))).toBe(clock.now() + 1000);
  });
});
