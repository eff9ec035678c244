import { Redis } from 'ioredis';
import { doublingPauseMs } from '../../../lib/backoff';
import { randomId } from '../../../lib/hash';
import { CHECK_REQUEUE_PERIODS } from '../../../openlines/switch-off-check';
import { createKeys } from '../../../redis/keys';
import { forgetPortalData } from '../../../store/forget-portal';
import { type Attachment, OpenLineStore } from '../../../store/open-line-store';

const MINUTE = CHECK_REQUEUE_PERIODS.baseMs;
const periodAfter = (claims: number) =>
  doublingPauseMs(CHECK_REQUEUE_PERIODS.baseMs, CHECK_REQUEUE_PERIODS.maxMs, claims);

/**
 * The slot of queuing an attachment's switch-off check again (review s23-ol3, RISK 1 and 4): taken
 * in one script, so racing takers claim one slot per period and count it once; a check's answer
 * deletes the count in the script that writes it; the count goes with its attachment.
 */
describe('open lines: the re-queue slots of switch-off checks (real Redis, several processes)', () => {
  const connections = [0, 1, 2].map(() => new Redis(process.env.TEST_REDIS_URL ?? ''));
  afterAll(() => {
    for (const redis of connections) redis.disconnect();
  });
  const keys = createKeys(`rq${randomId(4).replace(/[^a-zA-Z0-9]/g, 'x')}`);
  // Three processes, each with its own connection and store.
  const stores = connections.map((redis) => new OpenLineStore(redis, keys));
  const [store] = stores as [OpenLineStore, ...OpenLineStore[]];
  const redis = connections[0] as Redis;
  let memberId = '';
  const attachment = (over: Partial<Attachment> = {}): Attachment => ({
    lineId: 'main',
    openLineId: '1',
    relayTaken: false,
    active: true,
    attachedAt: 10,
    checkSeq: 1,
    ...over,
  });
  const count = (lineId = 'main') =>
    redis.hget(keys.openLineCheckRequeues(memberId), keys.openLineCheckRequeueCountField(lineId));
  /** `takers` claims at `nowMs` spread over the processes, all at once: how many took the slot. */
  async function takeAll(nowMs: number, takers = 24, of: Attachment = attachment()): Promise<number> {
    const claims = Array.from({ length: takers }, (_, i) =>
      stores[i % stores.length]?.claimCheckRequeue(memberId, of, nowMs, CHECK_REQUEUE_PERIODS),
    );
    return (await Promise.all(claims)).filter(Boolean).length;
  }

  beforeEach(async () => {
    memberId = `m${randomId(6).replace(/[^a-zA-Z0-9]/g, 'x')}`;
    await store.attach(memberId, attachment());
  });

  it('racing takers claim exactly one slot per period, and the count grows by one per slot claimed', async () => {
    let now = 1_000_000;
    for (let claims = 0; claims < 10; claims += 1) {
      if (claims) {
        const period = periodAfter(claims);
        // Just before the period is over, no taker gets the slot and the count stays.
        expect(await takeAll(now + period - 1)).toBe(0);
        expect(await count()).toBe(String(claims));
        now += period;
      }
      expect(await takeAll(now)).toBe(1);
      expect(await count()).toBe(String(claims + 1));
    }
    // Periods 1, 1, 2, 4 … minutes, capped at an hour (reached after 7 claims).
    expect(periodAfter(9)).toBe(60 * MINUTE);
  });

  it('the hash outlives the longest period (garbage collection only)', async () => {
    expect(await takeAll(5_000)).toBe(1);
    expect(await redis.pttl(keys.openLineCheckRequeues(memberId))).toBeGreaterThan(60 * MINUTE);
  });

  it("a check's answer deletes the count (written, or found as is); a superseded or changed one keeps it", async () => {
    const check = { lineId: 'main', openLineId: '1', attachedAt: 10, seq: 1 };
    expect(await takeAll(1_000)).toBe(1);
    expect(await store.settleSwitchOffCheck(memberId, { ...check, seq: 2 }, false)).toBe('superseded');
    expect(await store.settleSwitchOffCheck(memberId, { ...check, attachedAt: 9 }, false)).toBe('changed');
    expect(await count()).toBe('1');
    expect(await store.settleSwitchOffCheck(memberId, check, false)).toBe('switched');
    expect(await count()).toBeNull();
    expect(await store.forLine(memberId, 'main')).toMatchObject({ active: false, settledSeq: 1 });
    // Settled: the next re-queue comes a first period after the last claim, not a longer one.
    expect(await takeAll(1_000 + MINUTE)).toBe(1);
    // The same answer again (a retried job): the record already says so, only the count goes.
    const before = await redis.hget(keys.openLineAttachments(memberId), 'main');
    expect(await store.settleSwitchOffCheck(memberId, check, false)).toBe('as-is');
    expect(await count()).toBeNull();
    expect(await redis.hget(keys.openLineAttachments(memberId), 'main')).toBe(before);
  });

  it('an answer racing with takers: each claim lands wholly before it (count gone) or after it (counted from nothing)', async () => {
    const check = { lineId: 'main', openLineId: '1', attachedAt: 10, seq: 1 };
    let now = 0;
    for (let claims = 0; claims < 4; claims += 1) {
      now += periodAfter(claims);
      expect(await takeAll(now)).toBe(1);
    }
    expect(await count()).toBe('4');
    // The slot is free again; the answer and the takers go together.
    now += periodAfter(4);
    const [outcome, took] = await Promise.all([store.settleSwitchOffCheck(memberId, check, false), takeAll(now)]);
    expect(outcome).toBe('switched');
    expect(took).toBe(1);
    expect([null, '1']).toContain(await count());
  });

  it('the count goes with its attachment: a detach, an attach again or a move, an uninstall', async () => {
    expect(await takeAll(1_000)).toBe(1);
    expect(await takeAll(1_000 + MINUTE)).toBe(1);
    expect(await count()).toBe('2');
    // Detached (the admin, or the open line deleted in the portal).
    expect(await store.detach(memberId, 'main')).toBe(true);
    expect(await count()).toBeNull();
    // Attached again later: its first lost check waits the first period, not the old count's.
    await store.attach(memberId, attachment({ attachedAt: 20 }));
    expect(await takeAll(1_000 + 2 * MINUTE)).toBe(1);
    expect(await count()).toBe('1');
    // Attached again over the record, and moved to another open line: the new attachment starts over.
    await store.attach(memberId, attachment({ attachedAt: 30 }));
    expect(await count()).toBeNull();
    expect(await takeAll(1_000 + 3 * MINUTE, 4, attachment({ attachedAt: 30 }))).toBe(1);
    await store.attach(memberId, attachment({ openLineId: '2', attachedAt: 40 }));
    expect(await count()).toBeNull();
    // Another line's count stays while this one's goes.
    await store.attach(memberId, attachment({ lineId: 'second', openLineId: '3' }));
    expect(await takeAll(5_000, 4, attachment({ lineId: 'second', openLineId: '3' }))).toBe(1);
    expect(await takeAll(5_000, 4, attachment({ openLineId: '2', attachedAt: 40 }))).toBe(1);
    expect(await store.detach(memberId, 'main')).toBe(true);
    expect([await count(), await count('second')]).toEqual([null, '1']);
    // Uninstalled: every key of the portal goes, the re-queue hash too.
    await forgetPortalData(redis, keys, memberId);
    expect(await redis.exists(keys.openLineCheckRequeues(memberId))).toBe(0);
  });
});
