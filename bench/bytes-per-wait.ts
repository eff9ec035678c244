import { type RedisClient, scanTargets } from '../redis/connect';
import { startBenchSystem } from './system';

export interface BytesPerWaitOptions {
  waits: number;
  say: (line: string) => void;
}

/** MEMORY USAGE (all samples) of every key in this scenario's own Redis. */
async function footprint(client: RedisClient): Promise<Map<string, number>> {
  const sizes = new Map<string, number>();
  for (const redis of scanTargets(client)) await footprintOf(redis, sizes);
  return sizes;
}

async function footprintOf(redis: ReturnType<typeof scanTargets>[number], sizes: Map<string, number>): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'COUNT', 1000);
    cursor = next;
    // One node's keys, sent together (ioredis writes commands issued in one tick back to back).
    const usages = await Promise.all(
      keys.map((key) => redis.call('MEMORY', 'USAGE', key, 'SAMPLES', '0').catch(() => null)),
    );
    keys.forEach((key, i) => {
      const bytes = usages[i];
      if (bytes !== null && bytes !== undefined) sizes.set(key, Number(bytes));
    });
  } while (cursor !== '0');
}

/** A key with its ids replaced by `*`, to add up what each kind of key costs. */
const keyShape = (key: string): string => key.replace(/[0-9a-f]{16,}|[0-9]{3,}|[A-Za-z0-9_-]{20,}/g, '*');

async function waitUntil(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`bytes per wait: timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * Redis bytes per open button wait, every key it costs (the method of waits-memory.test.ts): every
 * key's MEMORY USAGE before and after `waits` robot calls through the real path (the portal calls
 * the door → job → stage read, wait, time-out, send, message record, sent step), divided by the
 * waits. Not counted, as in the test: the run-action queue's record of the robot call itself, which
 * every call leaves whether it waits or not (printed).
 */
export async function bytesPerWaitScenario(o: BytesPerWaitOptions): Promise<number> {
  const sys = await startBenchSystem({
    workers: 1,
    lines: 1,
    restLimit: { drainPerSec: 200, burst: 1000 },
    lineRatePerSec: 200,
  });
  try {
    const { rt } = sys;
    const idle = async () => {
      const counts = await rt.queues.portalSetup.getJobCounts('waiting', 'active', 'delayed');
      return Object.values(counts).every((n) => n === 0);
    };
    await waitUntil('the install to settle', idle, 60_000);
    const before = await footprint(rt.redis);
    const properties = Array.from({ length: o.waits }, (_, i) => ({
      phone: `+7916${String(2_000_000 + i)}`,
      body: 'Can you come tomorrow at 10:00?',
      buttons: ['Yes', 'No', 'Reschedule'],
      wait_reply: 'Y',
      line: 'line0',
    }));
    const { statuses } = await sys.sim.call(
      { cmd: 'runRobots', code: 'wa_send_buttons', properties, concurrency: 16 },
      300_000,
    );
    if (Object.keys(statuses).some((s) => s !== '200'))
      throw new Error(`bytes per wait: door answered ${JSON.stringify(statuses)}`);
    await waitUntil(
      `${o.waits} robot calls done`,
      async () => (await rt.queues.runAction.getCompletedCount()) >= o.waits,
      300_000,
    );
    await waitUntil(
      `${o.waits} waits open and nothing in flight`,
      async () => {
        const open = await rt.redis.zcard(rt.keys.openWaits(sys.memberId));
        const active = await rt.queues.runAction.getJobCounts('waiting', 'active', 'delayed');
        return open === o.waits && Object.values(active).every((n) => n === 0);
      },
      60_000,
    );
    const after = await footprint(rt.redis);
    const callRecord = `${String(rt.queues.runAction.opts.prefix)}:${rt.queues.runAction.name}:`;
    let total = 0;
    let calls = 0;
    const byShape = new Map<string, number>();
    for (const key of new Set([...before.keys(), ...after.keys()])) {
      const grown = (after.get(key) ?? 0) - (before.get(key) ?? 0);
      if (key.startsWith(callRecord)) calls += grown;
      else {
        total += grown;
        const shape = keyShape(key);
        byShape.set(shape, (byShape.get(shape) ?? 0) + grown);
      }
    }
    const shares = [...byShape].filter(([, b]) => b !== 0).sort((a, b) => b[1] - a[1]);
    o.say(`by key: ${shares.map(([k, b]) => `${k} ${(b / o.waits).toFixed(0)}`).join(', ')}`);
    o.say(
      `${o.waits} button waits: ${(total / o.waits).toFixed(0)} bytes each (the robot call's own job record adds ${(calls / o.waits).toFixed(0)}, not counted)`,
    );
    return total / o.waits;
  } finally {
    await sys.close();
  }
}
