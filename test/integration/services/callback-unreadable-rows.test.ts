import { z } from 'zod';
import { callbackSchema } from '../../../bitrix/callback-outbox';
import { MAX_QUEUED_AHEAD_MS, UNREADABLE_RECHECK_MS } from '../../../workers/callback-row';
import { callbackTestEnv } from '../../helpers/callback-dispatcher-env';
import { eventually } from '../../helpers/harness';
import { counterValue } from '../../helpers/signals';

/**
 * A row of a portal's callback outbox this version cannot read is set aside alone: not a callback at
 * all (not JSON, no event token) it is dropped; a callback of another shape (a newer release's,
 * during a rolling deploy) is kept for the workers that read it, looked at again after the recheck
 * period (stamped from the batch's end; only its due time moves) and counted each time in a counter
 * of its own, and dropped for its age at the end of the retry budget. The
 * callbacks claimed beside it still go out. Thrown for the batch, it failed the batch every lease
 * period, for good.
 */
describe('callback dispatcher: rows it cannot read', () => {
  const DAY_MS = 86_400_000;
  const EXPIRED = 'callback dropped after its retry budget: kept for a newer worker, none claimed it in time';
  const GARBAGE = 'callback dropped: stored in a form no worker can read';
  const AHEAD = 'callback dropped: its queue time is too far ahead of this clock';
  const KEPT = 'callback kept for a newer worker: stored in a form this one cannot read';
  /** What the tests read of a log line. */
  const logLineSchema = z.object({
    msg: z.string(),
    level: z.number(),
    row: z.string().optional(),
    queuedAt: z.number().optional(),
    aheadMs: z.number().optional(),
  });
  const envs: Array<ReturnType<typeof callbackTestEnv>> = [];
  afterAll(() => {
    for (const env of envs) env.close();
  });

  function setup() {
    const env = callbackTestEnv('cur');
    envs.push(env);
    const { redis, keys, clock, metrics, logged } = env;
    /** A row as another release (or a foreign writer) stored it, due now. */
    const putRow = async (id: string, json: string) => {
      await redis.hset(keys.callbackPending('m1'), id, json);
      await redis.zadd(keys.callbackDue('m1'), clock.now(), id);
    };
    const count = (outcome: string) => counterValue(metrics.callbacks, { outcome });
    /** Looks at kept rows: a counter of their own, not an outcome among the results. */
    const keptLooks = async () => {
      expect(await count('kept_unreadable')).toBe(0);
      return counterValue(metrics.callbacksKeptUnreadable);
    };
    /** Log lines (warnings and errors) with this message. */
    const logs = (msg: string) =>
      logged.map((line) => logLineSchema.parse(JSON.parse(line))).filter((entry) => entry.msg === msg);
    const portalDueAt = async () => redis.zscore(keys.callbackPortals(), 'm1');
    return { ...env, putRow, count, keptLooks, logs, portalDueAt };
  }

  /**
   * A newer release's callback: its return values may be numbers, which this release cannot read.
   * Its log message is not ASCII (portals answer in Russian), so the reschedule's compare of the
   * stored bytes is tested beyond ASCII.
   */
  const newerRow = (token: string, queuedAt: number) =>
    JSON.stringify({ eventToken: token, returnValues: { count: 5 }, logMessage: 'Готово ✓', queuedAt });

  it('sets them aside alone and sends the rest of the batch', async () => {
    const t = setup();
    const { redis, keys, clock, outbox, sent } = t;
    const dispatcher = t.dispatcher();
    const good = { eventToken: 'wf|A1|tok.sig', returnValues: { status: 'sent' }, logMessage: 'ok' };
    await outbox.enqueue('m1', good);
    const newer = newerRow('wf|N1|tok.sig', clock.now());
    const unreadable: Array<[string, string]> = [
      ['not-json', '{"eventToken":'],
      ['not-a-callback', '{"event":"x"}'],
      ['no-queue-time', '{"eventToken":"wf|N0|tok.sig"}'],
      // A callback of another shape (a newer release's): kept for the workers that read it…
      ['newer', newer],
      // …unless it is older than the retry budget (a day).
      ['newer-but-stale', newerRow('wf|N2|tok.sig', clock.now() - 2 * DAY_MS)],
      // A queue time far ahead (µs for ms: decades) would never reach the budget: garbage.
      ['queued-ahead', newerRow('wf|N6|tok.sig', clock.now() + MAX_QUEUED_AHEAD_MS + 1)],
      // Within the clocks' allowed difference (a day: a host's clock hours off) it is kept.
      ['queued-a-bit-ahead', newerRow('wf|N7|tok.sig', clock.now() + MAX_QUEUED_AHEAD_MS)],
    ];
    for (const [id, json] of unreadable) await t.putRow(id, json);
    try {
      expect(await dispatcher.drainOnce('m1')).toBe(true);
      expect(sent).toEqual([good.eventToken]);
      expect(await redis.hgetall(keys.callbackPending('m1'))).toEqual({
        newer,
        'queued-a-bit-ahead': newerRow('wf|N7|tok.sig', clock.now() + MAX_QUEUED_AHEAD_MS),
      });
      expect(Number(await redis.zscore(keys.callbackDue('m1'), 'newer'))).toBe(clock.now() + UNREADABLE_RECHECK_MS);
      expect(await redis.zcard(keys.callbackDue('m1'))).toBe(2);
      // The portal is due again when the kept row is: the dispatchers' loop looks at it then.
      expect(Number(await t.portalDueAt())).toBe(clock.now() + UNREADABLE_RECHECK_MS);
      // Garbage, the kept row and the stale one are told apart, in the counter and in the log.
      expect(await t.count('dropped_unreadable')).toBe(4);
      expect(await t.keptLooks()).toBe(2);
      expect(await t.count('dropped_kept_expired')).toBe(1);
      expect(
        t
          .logs(GARBAGE)
          .map((entry) => entry.row)
          .sort(),
      ).toEqual(['no-queue-time', 'not-a-callback', 'not-json']);
      expect(t.logs(AHEAD).map((entry) => [entry.row, entry.aheadMs])).toEqual([
        ['queued-ahead', MAX_QUEUED_AHEAD_MS + 1],
      ]);
      expect(t.logs(EXPIRED).map((entry) => entry.row)).toEqual(['newer-but-stale']);
    } finally {
      await dispatcher.stop();
    }
  });

  it('claims a kept row again after the recheck period, puts it back unchanged, counts each look, warns once', async () => {
    const t = setup();
    const { redis, keys, clock } = t;
    const dispatcher = t.dispatcher();
    const row = newerRow('wf|N3|tok.sig', clock.now());
    await t.putRow('newer', row);
    try {
      expect(await dispatcher.drainOnce('m1')).toBe(true);
      expect(await t.keptLooks()).toBe(1);
      // Not before the period (its size is pinned by the last test; here it is read from the constant)…
      clock.advance(UNREADABLE_RECHECK_MS - 1);
      expect(await dispatcher.drainOnce('m1')).toBe(false);
      expect(await t.keptLooks()).toBe(1);
      // …but at its end: claimed, put back as it was for another period, counted again.
      clock.advance(1);
      expect(await dispatcher.drainOnce('m1')).toBe(true);
      expect(await t.keptLooks()).toBe(2);
      // Warned at the first look only (the later ones go to debug): not a line every 90 s all day.
      expect(t.logs(KEPT)).toEqual([expect.objectContaining({ row: 'newer', level: 40 })]);
      expect(await redis.hget(keys.callbackPending('m1'), 'newer')).toBe(row);
      expect(Number(await redis.zscore(keys.callbackDue('m1'), 'newer'))).toBe(clock.now() + UNREADABLE_RECHECK_MS);
      expect(Number(await t.portalDueAt())).toBe(clock.now() + UNREADABLE_RECHECK_MS);
      expect(await t.count('dropped_unreadable')).toBe(0);
    } finally {
      await dispatcher.stop();
    }
  });

  it('drops a kept row for its age at the end of the retry budget, not as garbage', async () => {
    const t = setup();
    const { redis, keys, clock } = t;
    const dispatcher = t.dispatcher();
    const queuedAt = clock.now();
    await t.putRow('newer', newerRow('wf|N4|tok.sig', queuedAt));
    try {
      expect(await dispatcher.drainOnce('m1')).toBe(true);
      // A day after it was queued it is still within its budget: kept.
      clock.set(queuedAt + DAY_MS);
      expect(await dispatcher.drainOnce('m1')).toBe(true);
      expect(await t.keptLooks()).toBe(2);
      expect(await redis.hlen(keys.callbackPending('m1'))).toBe(1);
      // The next look is past it: dropped, and said to be dropped for its age.
      clock.advance(UNREADABLE_RECHECK_MS);
      expect(await dispatcher.drainOnce('m1')).toBe(true);
      expect(await redis.hlen(keys.callbackPending('m1'))).toBe(0);
      expect(await redis.zcard(keys.callbackDue('m1'))).toBe(0);
      expect(await t.portalDueAt()).toBeNull();
      expect(await t.count('dropped_kept_expired')).toBe(1);
      expect(await t.keptLooks()).toBe(2);
      expect(await t.count('dropped_unreadable')).toBe(0);
      expect(t.logs(EXPIRED)).toEqual([expect.objectContaining({ row: 'newer', queuedAt, level: 50 })]);
      expect(t.logs(GARBAGE)).toEqual([]);
    } finally {
      await dispatcher.stop();
    }
  });

  it('a newer worker (whose form reads the row) sends a kept row once it claims it, within two minutes', async () => {
    const t = setup();
    const { redis, keys, clock, outbox, sent } = t;
    const older = t.dispatcher();
    // The newer release reads numbers among the return values (and sends them as strings).
    const newerForm = callbackSchema.extend({
      returnValues: z.object({}).catchall(z.union([z.string(), z.number().transform(String)])),
    });
    const newer = t.dispatcher({ callbackSchema: newerForm });
    const token = 'wf|N5|tok.sig';
    await t.putRow('newer', newerRow(token, clock.now()));
    await outbox.markDue('m1', clock.now());
    try {
      expect(await older.drainOnce('m1')).toBe(true);
      expect(sent).toEqual([]);
      expect(await t.keptLooks()).toBe(1);
      // The newer worker runs its loop; the deploy goes on, and the row is due again within two minutes.
      await newer.start();
      clock.advance(2 * 60_000);
      // Stands in for the loop's timer reaching the due time: the manual clock drives no setTimeout.
      newer.wake();
      await eventually(() => sent.includes(token), 5000, 'the kept row sent by the newer worker');
      await eventually(async () => (await outbox.pendingCount('m1')) === 0, 5000, 'the sent row acknowledged');
      expect(sent).toEqual([token]);
      expect(await redis.zcard(keys.callbackDue('m1'))).toBe(0);
      expect(await t.count('sent')).toBe(1);
      expect(await t.keptLooks()).toBe(1);
    } finally {
      await newer.stop();
      await older.stop();
    }
  });

  it("stamps a kept row's next look from the batch's end, not its claim (a slow portal)", async () => {
    const t = setup();
    const { redis, keys, clock, outbox, sent } = t;
    // The portal's REST limit holds the batch longer than the recheck period.
    const dispatcher = t.dispatcher({ duringBatch: async () => clock.advance(2 * UNREADABLE_RECHECK_MS) });
    const good = { eventToken: 'wf|A2|tok.sig', returnValues: { status: 'sent' }, logMessage: 'ok' };
    await outbox.enqueue('m1', good);
    await t.putRow('newer', newerRow('wf|N8|tok.sig', clock.now()));
    try {
      expect(await dispatcher.drainOnce('m1')).toBe(true);
      expect(sent).toEqual([good.eventToken]);
      expect(Number(await redis.zscore(keys.callbackDue('m1'), 'newer'))).toBe(clock.now() + UNREADABLE_RECHECK_MS);
      expect(Number(await t.portalDueAt())).toBe(clock.now() + UNREADABLE_RECHECK_MS);
      // Not due at once: the next drain claims nothing and looks at it no more.
      expect(await dispatcher.drainOnce('m1')).toBe(false);
      expect(await t.keptLooks()).toBe(1);
    } finally {
      await dispatcher.stop();
    }
  });

  // While this worker's batch is out, its lease lapses and another worker claims the kept row. A
  // newer worker told to retry it stores its next attempt (the json it rewrites, its backoff's due
  // time); one still holding it unchanged keeps its lease, even when it runs later than this
  // worker's reschedule (its clock ahead): the reschedule moves the due time only later (ZADD GT).
  it.each([
    ["a newer worker's retry written meanwhile stays", { rewritten: true, dueInMs: 1000 }],
    [
      "another worker's later lease on it stays (never earlier)",
      { rewritten: false, dueInMs: 3 * UNREADABLE_RECHECK_MS },
    ],
  ])("moves only a kept row's due time: %s", async (_what, meanwhile) => {
    const t = setup();
    const { redis, keys, clock, outbox, sent } = t;
    const claimed = newerRow('wf|N9|tok.sig', clock.now());
    const stored = meanwhile.rewritten ? JSON.stringify({ ...JSON.parse(claimed), attempts: 1 }) : claimed;
    const dueMs = clock.now() + meanwhile.dueInMs;
    const dispatcher = t.dispatcher({
      duringBatch: async () => {
        await redis.hset(keys.callbackPending('m1'), 'newer', stored);
        await redis.zadd(keys.callbackDue('m1'), dueMs, 'newer');
      },
    });
    const good = { eventToken: 'wf|A3|tok.sig', returnValues: { status: 'sent' }, logMessage: 'ok' };
    await outbox.enqueue('m1', good);
    await t.putRow('newer', claimed);
    try {
      expect(await dispatcher.drainOnce('m1')).toBe(true);
      expect(sent).toEqual([good.eventToken]);
      expect(await redis.hget(keys.callbackPending('m1'), 'newer')).toBe(stored);
      expect(Number(await redis.zscore(keys.callbackDue('m1'), 'newer'))).toBe(dueMs);
      expect(Number(await t.portalDueAt())).toBe(dueMs);
    } finally {
      await dispatcher.stop();
    }
  });

  it('moves the due time of a kept row whose bytes are not valid UTF-8 (hashed by Redis, not by this client)', async () => {
    const t = setup();
    const { redis, keys, clock } = t;
    const dispatcher = t.dispatcher();
    // A foreign writer's bytes: this client reads 0xFF 0xFE as U+FFFD, so its hash of what it read
    // would never match the stored row, and the row would come back at every lease (10 s, not 90 s).
    const stored = Buffer.concat([
      Buffer.from('{"eventToken":"wf|N10|tok.sig","returnValues":{"count":5},"logMessage":"'),
      Buffer.from([0xff, 0xfe]),
      Buffer.from(`","queuedAt":${clock.now()}}`),
    ]);
    await redis.hset(keys.callbackPending('m1'), 'bad-bytes', stored);
    await redis.zadd(keys.callbackDue('m1'), clock.now(), 'bad-bytes');
    try {
      expect(await dispatcher.drainOnce('m1')).toBe(true);
      expect(await t.keptLooks()).toBe(1);
      expect(Number(await redis.zscore(keys.callbackDue('m1'), 'bad-bytes'))).toBe(clock.now() + UNREADABLE_RECHECK_MS);
      expect(Number(await t.portalDueAt())).toBe(clock.now() + UNREADABLE_RECHECK_MS);
      // The row itself stays as stored, byte for byte.
      const after = await redis.hgetBuffer(keys.callbackPending('m1'), 'bad-bytes');
      expect(after?.equals(stored)).toBe(true);
    } finally {
      await dispatcher.stop();
    }
  });
});
