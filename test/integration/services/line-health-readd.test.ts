import { Redis } from 'ioredis';
import { randomId } from '../../../lib/hash';
import { createLogger } from '../../../lib/logger';
import { createMetrics } from '../../../lib/metrics';
import { createSecretBox } from '../../../lib/secret-box';
import { createLineHealth } from '../../../lines/line-health';
import type { LineStatus, WhatsAppProvider } from '../../../providers/provider';
import { createKeys } from '../../../redis/keys';
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
  function setUp() {
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
      log: createLogger('silent'),
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
    return { lines, store, health, metrics, hold, reads };
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
});
