import { Redis } from 'ioredis';
import { randomId } from '../../../lib/hash';
import { createLogger } from '../../../lib/logger';
import { createMetrics } from '../../../lib/metrics';
import { createSecretBox } from '../../../lib/secret-box';
import { createLineHealth } from '../../../lines/line-health';
import type { LineStatus, WhatsAppProvider } from '../../../providers/provider';
import { createKeys, type RedisKeys } from '../../../redis/keys';
import { LineHealthStore } from '../../../store/line-health-store';
import { type Line, LineStore } from '../../../store/line-store';
import { createManualClock } from '../../helpers/manual-clock';
import { counterValue } from '../../helpers/signals';

const OLD: Line = {
  id: 'shop',
  memberId: 'm1',
  provider: 'cloud',
  phoneNumberId: '200000000000071',
  accessToken: 'old-token',
  name: 'Shop',
  createdAt: 0,
};
/** The same line id re-added for another number (another account). */
const NEW: Line = { ...OLD, phoneNumberId: '200000000000072', accessToken: 'new-token' };
const OLD_DISPLAY = '79001110071';
const NEW_DISPLAY = '79001110072';

/** What the provider reports for each number. */
const STATUS: Record<string, LineStatus> = {
  [OLD.phoneNumberId]: { connected: true, state: 'CONNECTED', qualityRating: 'RED', displayPhoneNumber: OLD_DISPLAY },
  [NEW.phoneNumberId]: { connected: true, state: 'CONNECTED', qualityRating: 'GREEN', displayPhoneNumber: NEW_DISPLAY },
};

// Review s26 item 1: a health read of the number a line stood for before a re-add to another one
// (the hourly sweep, `lines health`, checkStatus) that ends after the re-add wrote that number's
// record onto the re-added line. Records now say their number, and are written only while the line
// has it (line-health-write-2.lua); a record of another number reads as none.
describe('line health across a re-add to another number (real Redis)', () => {
  const redis = new Redis(process.env.TEST_REDIS_URL ?? '');
  afterAll(() => redis.disconnect());

  /** A line health service over real Redis whose provider answers for `line`'s number, once `gate` opens. */
  function setUp(log = createLogger('silent')) {
    const keys = createKeys(`lh${randomId(4).replace(/[^a-zA-Z0-9]/g, 'x')}`);
    const clock = createManualClock();
    const lines = new LineStore(redis, keys, createSecretBox(Buffer.alloc(32, 7)));
    const store = new LineHealthStore(redis, keys);
    const metrics = createMetrics();
    let started: () => void = () => undefined;
    let gate: Promise<void> | null = null;
    /** Numbers whose status was asked for, in order. */
    const reads: string[] = [];
    const provider = (line: Line): Pick<WhatsAppProvider, 'lineStatus'> => ({
      lineStatus: async (): Promise<LineStatus> => {
        reads.push(line.phoneNumberId);
        started();
        if (gate) await gate;
        const status = STATUS[line.phoneNumberId];
        if (!status) throw new Error(`no status for ${line.phoneNumberId}`);
        return status;
      },
    });
    const health = createLineHealth({
      // cast: line health only calls lineStatus.
      providerFor: (line) => provider(line) as WhatsAppProvider,
      store,
      lines,
      clock,
      log,
      metrics,
    });
    /** Holds the provider's answers until the returned `open` is called; `reading` resolves once a read asked. */
    function hold() {
      let open: () => void = () => undefined;
      gate = new Promise<void>((resolve) => {
        open = resolve;
      });
      const reading = new Promise<void>((resolve) => {
        started = resolve;
      });
      return {
        reading,
        open: () => {
          gate = null;
          open();
        },
      };
    }
    return { keys, lines, store, health, metrics, hold, reads };
  }

  it("a read of the old number that ends after the re-add writes neither its record nor its display number's route", async () => {
    const { lines, store, health, hold } = setUp();
    await lines.add(OLD);
    const held = hold();
    const lateRead = health.read(OLD, 'schedule');
    await held.reading;
    // The re-add, as the line admin makes it: the line written while still as read, then its old record dropped.
    await lines.add(NEW, { ifStillAs: OLD });
    await health.forget(OLD.memberId, OLD.id);
    held.open();
    expect(await lateRead).toMatchObject({ qualityRating: 'RED' });
    expect(await store.get(OLD.memberId, OLD.id)).toBeNull();
    expect(await health.get(NEW)).toBeNull();
    expect(await store.findByDisplayNumber(OLD_DISPLAY)).toBeNull();
  });

  it('nor does one that ends after the line was removed', async () => {
    const { lines, store, health, hold } = setUp();
    await lines.add(OLD);
    const held = hold();
    const lateRead = health.read(OLD, 'cli');
    await held.reading;
    await lines.remove(OLD.memberId, OLD.id);
    await health.forget(OLD.memberId, OLD.id);
    held.open();
    await lateRead;
    expect(await store.get(OLD.memberId, OLD.id)).toBeNull();
  });

  it("a record of the old number left on the line reads as none: get, all, the sweep, and the next read's changes", async () => {
    const { lines, store, health, metrics } = setUp();
    await lines.add(OLD);
    await health.read(OLD, 'connect');
    // A re-add whose process died before it dropped the old record (lines/line-admin.ts).
    await lines.add(NEW, { ifStillAs: OLD });
    expect(await store.get(OLD.memberId, OLD.id)).toMatchObject({ qualityRating: 'RED' });
    expect(await health.get(NEW)).toBeNull();
    expect(await health.all(NEW.memberId)).toEqual({});
    const changes = await counterValue(metrics.lineHealthChanges);
    // Read at once, though the old record is fresh: it is not the line's.
    expect(await health.refreshDue([NEW.memberId])).toBe(1);
    const read = await health.get(NEW);
    expect(read).toMatchObject({ qualityRating: 'GREEN' });
    // No quality_up against the old number's RED.
    expect(read?.lastChange).toBeUndefined();
    expect(await counterValue(metrics.lineHealthChanges)).toBe(changes);
    expect(await health.all(NEW.memberId)).toEqual({ [NEW.id]: read });
  });

  // Review s26 item 2: account webhooks are routed by display number, and the old number's route
  // still named the line after a re-add to another number: its quality updates read the new number,
  // its account updates (a restriction, a ban) were kept as the new number's last change.
  it("the old number's account webhooks no longer reach the line re-added for another; the new number's do", async () => {
    const { lines, store, health, reads } = setUp();
    await lines.add(OLD);
    await health.read(OLD, 'connect');
    await lines.add(NEW, { ifStillAs: OLD });
    await health.forget(OLD.memberId, OLD.id);
    const restriction = { field: 'account_update', event: 'ACCOUNT_RESTRICTION' };
    expect(await health.onAccountEvent(OLD_DISPLAY, restriction)).toBe('account_unknown_line');
    const downgrade = { field: 'phone_number_quality_update', event: 'DOWNGRADE', current_limit: 'TIER_250' };
    expect(await health.onAccountEvent(OLD_DISPLAY, downgrade)).toBe('account_unknown_line');
    expect(await store.get(NEW.memberId, NEW.id)).toBeNull();
    expect(reads).toEqual([OLD.phoneNumberId]);
    // The new number's read routes its own display number to the line.
    await health.read(NEW, 'connect');
    expect(await health.onAccountEvent(NEW_DISPLAY, restriction)).toBe('account_account_restriction');
    expect((await health.get(NEW))?.lastChange).toMatchObject({ kind: 'account_event', to: 'ACCOUNT_RESTRICTION' });
  });

  /** An older release's route and record of the line's number: no number said in either. */
  async function olderRelease(keys: RedisKeys, line: Line, display: string) {
    await redis.set(keys.lineByDisplayNumber(display), `${line.memberId}|${line.id}`);
    const record = { connected: true, qualityRating: 'RED', checkedAt: 0 };
    await redis.hset(keys.lineHealth(line.memberId), line.id, JSON.stringify(record));
  }

  const restriction = { field: 'account_update', event: 'ACCOUNT_RESTRICTION' };

  // Review s26 BUG 1: an older release's route says no number, and was taken as the line's "until
  // its next health read routes it anew"; but that read routes the new number's display digits, so
  // the old number's route stayed, and its events reached the re-added line for good.
  it("an older release's route of the old number stops reaching the line once the new number is read", async () => {
    const { keys, lines, health, reads } = setUp();
    await lines.add(OLD);
    await olderRelease(keys, OLD, OLD_DISPLAY);
    await lines.add(NEW, { ifStillAs: OLD });
    await health.forget(OLD.memberId, OLD.id);
    await health.read(NEW, 'connect');
    expect(await health.onAccountEvent(OLD_DISPLAY, restriction)).toBe('account_unknown_line');
    const downgrade = { field: 'phone_number_quality_update', event: 'DOWNGRADE', current_limit: 'TIER_250' };
    expect(await health.onAccountEvent(OLD_DISPLAY, downgrade)).toBe('account_unknown_line');
    expect((await health.get(NEW))?.lastChange).toBeUndefined();
    expect(reads).toEqual([NEW.phoneNumberId]);
    expect(await health.onAccountEvent(NEW_DISPLAY, restriction)).toBe('account_account_restriction');
  });

  it("an older release's route of the line's own number reaches it until a read routes it anew, event after event", async () => {
    const { keys, lines, store, health } = setUp();
    await lines.add(OLD);
    await olderRelease(keys, OLD, OLD_DISPLAY);
    const flagged = { field: 'account_update', event: 'DISABLED_UPDATE' };
    expect(await health.onAccountEvent(OLD_DISPLAY, restriction)).toBe('account_account_restriction');
    // The first event's record does not end the route: it stays an older release's record.
    expect(await health.onAccountEvent(OLD_DISPLAY, flagged)).toBe('account_disabled_update');
    expect(await store.get(OLD.memberId, OLD.id)).toMatchObject({
      qualityRating: 'RED',
      lastChange: { kind: 'account_event', to: 'DISABLED_UPDATE' },
    });
    expect((await store.get(OLD.memberId, OLD.id))?.account).toBeUndefined();
    // A read stamps the record and the route (the same key): the line's events still reach it.
    await health.read(OLD, 'schedule');
    expect(await store.findByDisplayNumber(OLD_DISPLAY)).toMatchObject({ account: 'cloud|200000000000071' });
    expect(await health.onAccountEvent(OLD_DISPLAY, restriction)).toBe('account_account_restriction');
  });

  // Review s26 RISK 3: a stored line that is no JSON made every health write of it a script error.
  it('a malformed stored line: nothing written, the read answered, the write logged as unreadable', async () => {
    const logged: string[] = [];
    const { keys, store, health } = setUp(createLogger('info', { write: (entry: string) => logged.push(entry) }));
    await redis.hset(keys.lines(OLD.memberId), OLD.id, '{"provider": "cloud", ');
    expect(await store.set(OLD, { checkedAt: 1 })).toBe('unreadable_line');
    expect(await health.read(OLD, 'cli')).toMatchObject({ qualityRating: 'RED' });
    expect(await redis.hlen(keys.lineHealth(OLD.memberId))).toBe(0);
    expect(logged.join('')).toContain('line health not kept: the stored line is unreadable');
  });

  // Review s26 NIT 4: a read held over a change that keeps the number (a rename, a new token, a new
  // WABA id alone) is the line's still: kept, and routed, so a tighter check cannot drop it unseen.
  it('a read that ends after a change keeping the number is kept, with its route', async () => {
    const { lines, store, health, hold } = setUp();
    await lines.add(OLD);
    const held = hold();
    const read = health.read(OLD, 'schedule');
    await held.reading;
    await lines.add({ ...OLD, name: 'Renamed', accessToken: 'rotated', wabaId: '300000000000001' }, { ifStillAs: OLD });
    held.open();
    await read;
    expect(await store.get(OLD.memberId, OLD.id)).toMatchObject({
      qualityRating: 'RED',
      account: 'cloud|200000000000071',
    });
    expect(await store.findByDisplayNumber(OLD_DISPLAY)).toEqual({
      memberId: OLD.memberId,
      lineId: OLD.id,
      account: 'cloud|200000000000071',
    });
  });
});
