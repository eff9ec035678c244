import { switchOffCheckJobSchema } from '../../../queues/job-schemas';
import { OpenLineStore } from '../../../store/open-line-store';
import { M, setupWaitService, type WaitServiceEnv } from '../../helpers/wait-service-env';

/** A store whose read for setActive is followed by `between` (another step changing the attachment). */
class InterleavedStore extends OpenLineStore {
  between: (() => Promise<unknown>) | null = null;

  protected override async rawOfOpenLine(memberId: string, openLineId: string) {
    const read = await super.rawOfOpenLine(memberId, openLineId);
    const step = this.between;
    this.between = null;
    if (step) await step();
    return read;
  }
}

/**
 * ONIMCONNECTORSTATUSDELETE marks an open line's attachment switched off (openlines-wire.md §5.8).
 * The portal sends it for the app's own switch-off too, so it can be handled while the line moves
 * or is detached: it writes only while the attachment it read still stands.
 */
describe('switching an open line off in the store (setActive)', () => {
  let env: WaitServiceEnv;
  let store: InterleavedStore;
  const attachment = (openLineId: string) => ({
    lineId: 'main',
    openLineId,
    relayTaken: false,
    active: true,
    attachedAt: 1,
  });
  beforeEach(async () => {
    env = setupWaitService();
    store = new InterleavedStore(env.redis, env.keys);
    await store.attach(M, attachment('7'));
  });
  afterEach(() => env.redis.disconnect());

  it('the line moved to 9 between the read and the write: the new attachment stays on', async () => {
    store.between = () => store.attach(M, attachment('9'));
    expect(await store.setActive(M, '7', false)).toBe(false);
    expect(await store.forLine(M, 'main')).toEqual(attachment('9'));
  });

  it('detached between the read and the write: it does not come back', async () => {
    store.between = async () => {
      await store.detach(M, 'main');
    };
    expect(await store.setActive(M, '7', false)).toBe(false);
    expect(await store.forLine(M, 'main')).toBeNull();
  });

  it('its relay option changed meanwhile: read again and switched off, the change kept', async () => {
    store.between = () => store.attach(M, { ...attachment('7'), relayTaken: true });
    expect(await store.setActive(M, '7', false)).toBe(true);
    expect(await store.forLine(M, 'main')).toEqual({ ...attachment('7'), relayTaken: true, active: false });
  });

  it('attach answers the line’s record it replaced, read in the same transaction', async () => {
    await store.nextSwitchOffCheck(M, '7');
    expect(await store.attach(M, { ...attachment('7'), attachedAt: 2 })).toEqual({ ...attachment('7'), checkSeq: 1 });
    expect(await store.attach(M, { ...attachment('7'), lineId: 'other', openLineId: '8' })).toBeNull();
  });

  describe('a switch-off event’s check (nextSwitchOffCheck, then settleSwitchOffCheck)', () => {
    const which = { lineId: 'main', openLineId: '7', attachedAt: 1 };

    it('the event numbers a check and leaves active as it is; the check writes the portal’s answer', async () => {
      expect(await store.nextSwitchOffCheck(M, '7')).toEqual({ ...attachment('7'), checkSeq: 1 });
      expect(await store.settleSwitchOffCheck(M, { ...which, seq: 1 }, false)).toBe('switched');
      // The number settled is recorded with the answer (the maintenance sweep's mark of a lost check).
      expect(await store.forLine(M, 'main')).toEqual({ ...attachment('7'), active: false, checkSeq: 1, settledSeq: 1 });
      expect(await store.settleSwitchOffCheck(M, { ...which, seq: 1 }, false)).toBe('as-is');
    });

    it('a check finding the answer already stored: as-is, its number recorded as settled', async () => {
      await store.nextSwitchOffCheck(M, '7');
      expect(await store.settleSwitchOffCheck(M, { ...which, seq: 1 }, true)).toBe('as-is');
      expect(await store.forLine(M, 'main')).toEqual({ ...attachment('7'), checkSeq: 1, settledSeq: 1 });
    });

    it('a newer event numbered between the read and the write: superseded, nothing written', async () => {
      await store.nextSwitchOffCheck(M, '7');
      store.between = async () => {
        await store.nextSwitchOffCheck(M, '7');
      };
      expect(await store.settleSwitchOffCheck(M, { ...which, seq: 1 }, false)).toBe('superseded');
      expect(await store.forLine(M, 'main')).toEqual({ ...attachment('7'), checkSeq: 2 });
      expect(await store.settleSwitchOffCheck(M, { ...which, seq: 2 }, false)).toBe('switched');
    });

    it('attached there again between the read and the write (a new attachedAt): changed, left as it is', async () => {
      await store.nextSwitchOffCheck(M, '7');
      const again = { ...attachment('7'), attachedAt: 2 };
      store.between = () => store.attach(M, again);
      expect(await store.settleSwitchOffCheck(M, { ...which, seq: 1 }, false)).toBe('changed');
      expect(await store.forLine(M, 'main')).toEqual(again);
    });

    it('detached between the read and the write: it does not come back', async () => {
      await store.nextSwitchOffCheck(M, '7');
      store.between = async () => {
        await store.detach(M, 'main');
      };
      expect(await store.settleSwitchOffCheck(M, { ...which, seq: 1 }, false)).toBe('changed');
      expect(await store.forLine(M, 'main')).toBeNull();
    });

    it('a job of the release before numbers (no `seq`, so 0) against a record without checkSeq: written; once numbered, superseded', async () => {
      const legacy = switchOffCheckJobSchema.parse({ memberId: M, ...which });
      expect(legacy.seq).toBe(0);
      expect(JSON.parse((await env.redis.hget(env.keys.openLineAttachments(M), 'main')) ?? '{}')).not.toHaveProperty(
        'checkSeq',
      );
      expect(await store.settleSwitchOffCheck(M, legacy, false)).toBe('switched');
      expect(await store.forLine(M, 'main')).toEqual({ ...attachment('7'), active: false, settledSeq: 0 });
      // A new door's event numbers 1: the legacy job, run again, no longer decides.
      await store.nextSwitchOffCheck(M, '7');
      expect(await store.settleSwitchOffCheck(M, legacy, true)).toBe('superseded');
      expect(await store.forLine(M, 'main')).toEqual({ ...attachment('7'), active: false, checkSeq: 1, settledSeq: 0 });
    });

    it('no attachment on the open line: nextSwitchOffCheck answers null', async () => {
      expect(await store.nextSwitchOffCheck(M, '8')).toBeNull();
    });
  });
});
