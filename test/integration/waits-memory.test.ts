import { createRegisteredHarness, type Harness } from '../helpers/harness';
import { jobLog, settled } from '../helpers/signals';

// The memory cost of an open wait; the crash and restart cases are in waits-durability.test.ts (whose
// describe title this file keeps, so the test keeps its full name).
describe('waits end exactly once, across crashes and restarts', () => {
  let h: Harness;
  afterEach(async () => {
    await h.close();
  });

  it('measures the whole Redis footprint of an open button wait (every key it costs), at most 1 KiB', async () => {
    // Measured per key with MEMORY USAGE, so other test files on the shared Redis do not matter:
    // every key of this harness (app prefix and BullMQ prefix) before and after opening N waits
    // through the real path (robot call → job → send → wait with its deadline), divided by N.
    // Counted: the wait, its share of the portal's wait index and deadline set (the open set) and of
    // the global deadline index, the message record, any sent-step key left, the time-out drain's
    // keys (its runs, schedule and events, which run every second meanwhile) and any shared key
    // that grew. Not counted (printed): the run-action queue's record of the robot call itself,
    // which every call leaves for a day whether or not it waits.
    const n = 200;
    h = await createRegisteredHarness({
      lineRatePerSec: 40,
      lineWindowMs: 50,
      throughputPerSec: 1000,
      restLimit: { drainPerSec: 200, burst: 500 },
    });
    await settled(h);
    const runs = await jobLog(h, h.rt.queues.runAction);
    const before = await footprint(h);
    for (let start = 0; start < n; start += 20) {
      await Promise.all(
        Array.from({ length: Math.min(20, n - start) }, async (_, j) => {
          const i = start + j;
          const dealId = h.portal.createDeal({ stageId: 'NEW' });
          const { httpStatus } = await h.portal.runRobot({
            code: 'wa_send_buttons',
            documentId: ['crm', 'CCrmDocumentDeal', `DEAL_${dealId}`],
            properties: {
              phone: `7916${String(1000000 + i)}`,
              body: 'Подтвердите запись',
              buttons: ['Да', 'Нет', 'Перенести'],
              wait_reply: 'Y',
            },
          });
          expect(httpStatus).toBe(200);
        }),
      );
    }
    expect(new Set(await runs.completed(n, `${n} robot calls done`, 30_000))).toEqual(new Set(['done']));
    await settled(h);
    expect(await h.rt.redis.zcard(h.rt.keys.openWaits(h.memberId))).toBe(n);
    // No job per wait: the deadlines are members of the portal's deadline set.
    expect(await h.rt.queues.waitTimeout.count()).toBe(0);
    expect(await h.rt.redis.zscore(h.rt.keys.waitDeadlinePortals(), h.memberId)).not.toBeNull();
    // The drain ran meanwhile (its keys are in the footprint), never ending a wait before its deadline.
    const drains = await jobLog(h, h.rt.queues.waitDeadlines);
    await drains.completed(2, 'two drain runs');
    const after = await footprint(h);
    const callRecord = `${String(h.rt.queues.runAction.opts.prefix)}:${h.rt.queues.runAction.name}:`;
    const ownKey = (key: string) =>
      key.startsWith(h.rt.keys.wait(h.memberId, '')) ||
      key === h.rt.keys.waitIndex(h.memberId) ||
      key === h.rt.keys.openWaits(h.memberId) ||
      key === h.rt.keys.waitDeadlinePortals();
    const byKind = new Map<string, number>();
    let total = 0;
    let calls = 0;
    let own = 0;
    for (const key of new Set([...before.keys(), ...after.keys()])) {
      const grown = (after.get(key) ?? 0) - (before.get(key) ?? 0);
      if (key.startsWith(callRecord)) calls += grown;
      else total += grown;
      if (ownKey(key)) own += grown;
      const kind = kindOf(h, key);
      byKind.set(kind, (byKind.get(kind) ?? 0) + grown);
    }
    const perWait = total / n;
    if (process.env.SHOW_MEMORY) {
      const lines = [...byKind.entries()]
        .filter(([, b]) => b !== 0)
        .sort((x, y) => y[1] - x[1])
        .map(([k, b]) => `  ${k}: ${(b / n).toFixed(1)}`);
      console.log(
        `sample keys:\n${await sampleKeys(h)}\nbytes per open button wait (whole footprint): ${perWait.toFixed(1)}; the wait's own keys ${(own / n).toFixed(1)}; the robot call's own job record adds ${(calls / n).toFixed(1)}\n${lines.join('\n')}`,
      );
    }
    // Issue 10's goal: every key an open button wait costs, 1 M open waits < 1 GB.
    expect(perWait).toBeLessThanOrEqual(1024);
    // No sent-step key is left behind (the wait holds its step) and no time-out job exists.
    expect(byKind.get('app:sent') ?? 0).toBe(0);
    expect(byKind.get('wait-timeout:<job>') ?? 0).toBe(0);
  });
});

/** MEMORY USAGE (all samples) of every key of the harness: its app key prefix and its BullMQ prefix. */
async function footprint(h: Harness): Promise<Map<string, number>> {
  const sizes = new Map<string, number>();
  for (const prefix of [h.rt.keys.prefix, String(h.rt.queues.runAction.opts.prefix)]) {
    let cursor = '0';
    const keys: string[] = [];
    do {
      const [next, batch] = await h.redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      keys.push(...batch);
    } while (cursor !== '0');
    const pipeline = h.redis.pipeline();
    for (const key of keys) pipeline.call('MEMORY', 'USAGE', key, 'SAMPLES', '0');
    const results = (await pipeline.exec()) ?? [];
    keys.forEach((key, i) => {
      const [error, bytes] = results[i] ?? [null, null];
      if (!error && bytes !== null) sizes.set(key, Number(bytes));
    });
  }
  return sizes;
}

/** A key's kind for the breakdown: `app:<name>` or `<queue>:<bullmq key>`, with ids folded into `<job>`. */
function kindOf(h: Harness, key: string): string {
  const queuePrefix = `${String(h.rt.queues.runAction.opts.prefix)}:`;
  if (key.startsWith(queuePrefix)) {
    const [queue, ...rest] = key.slice(queuePrefix.length).split(':');
    const known = [
      'events',
      'delayed',
      'completed',
      'failed',
      'wait',
      'active',
      'paused',
      'prioritized',
      'pc',
      'marker',
      'meta',
      'id',
      'stalled',
      'stalled-check',
      'limiter',
      'de',
      'repeat',
    ];
    // A scheduler's runs are jobs too (`repeat:<scheduler>:<run time>`).
    if (rest[0] === 'repeat' && rest.length > 2) return `${queue}:<scheduled run>`;
    return `${queue}:${known.includes(rest[0] ?? '') ? rest.join(':') : `<job>${rest.length > 1 ? `:${rest.slice(1).join(':')}` : ''}`}`;
  }
  const name = key.slice(h.rt.keys.prefix.length + 1).replace(/^\{[^}]*\}:/, '');
  return `app:${name.split(':')[0]}`;
}

/** One key of each app kind with its size and value, for the SHOW_MEMORY breakdown. */
async function sampleKeys(h: Harness): Promise<string> {
  const seen = new Set<string>();
  const out: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await h.redis.scan(cursor, 'MATCH', `${h.rt.keys.prefix}:*`, 'COUNT', 1000);
    cursor = next;
    for (const key of batch) {
      const kind = kindOf(h, key);
      if (seen.has(kind)) continue;
      seen.add(kind);
      const type = await h.redis.type(key);
      const value =
        type === 'string'
          ? await h.redis.get(key)
          : type === 'hash'
            ? JSON.stringify(await h.redis.hgetall(key)).slice(0, 400)
            : `${type} of ${type === 'zset' ? await h.redis.zcard(key) : '?'}`;
      out.push(`  ${key} (${await h.redis.call('MEMORY', 'USAGE', key, 'SAMPLES', '0')} B): ${value}`);
    }
  } while (cursor !== '0');
  return out.join('\n');
}
