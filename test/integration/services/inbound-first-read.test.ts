import type { Attachment } from '../../../store/open-line-store';
import { queuedOpenLines, relayingInbound } from '../../helpers/inbound-on-wait-service';
import { line, M, PHONE, setupWaitService, tap, text, type WaitServiceEnv } from '../../helpers/wait-service-env';

const onLine = (lineId: string, openLineId: string): Attachment => ({
  lineId,
  openLineId,
  relayTaken: true,
  active: true,
  attachedAt: 0,
});

/** Unix seconds of the customer's messages (their window runs from these). */
const T1 = 1_700_000_000;
const T2 = T1 + 100;

/**
 * Under the number's route the process remembers, a customer message's first reads (the portal's
 * config version, the line's open-line attachment, the subscription count, the wait a tap names)
 * and its window note are one script, and the reply's time zone is read under that version. A
 * route gone stale (the number now another line's) lends its read to no other line and writes no
 * note for the line it named.
 */
describe('inbound: the first reads in one script under a remembered route', () => {
  let env: WaitServiceEnv;
  afterEach(() => env.redis.disconnect());

  async function setup() {
    env = setupWaitService();
    const s = await relayingInbound(env, onLine(line.id, '7'), { firstRead: true });
    const firstReads = jest.spyOn(s.firstReads, 'read');
    const ownReads = jest.spyOn(s.openLines, 'forLine');
    const ownNotes = jest.spyOn(s.windows, 'note');
    return { ...s, firstReads, ownReads, ownNotes };
  }

  it('a remembered route: attachment, wait and window in the first script, the time zone under its version', async () => {
    const s = await setup();
    // The first message finds the route (no route remembered yet: each read and the note on its own).
    expect(await s.deliver(text('hello', { timestamp: String(T1) }))).toBe('ordinary');
    expect(s.firstReads).not.toHaveBeenCalled();
    expect([s.ownReads.mock.calls.length, s.ownNotes.mock.calls.length]).toEqual([1, 1]);
    const { wait } = await env.open();
    expect(await s.deliver({ ...tap(wait.buttons[0]?.id ?? '', 'Yes'), timestamp: String(T2) })).toBe('taken_by_wait');
    expect(s.firstReads).toHaveBeenCalledTimes(1);
    expect(s.firstReads).toHaveBeenCalledWith(M, line.id, expect.objectContaining({ waitId: wait.id }));
    expect([s.ownReads.mock.calls.length, s.ownNotes.mock.calls.length]).toEqual([1, 1]);
    expect((await s.windows.read(M, line.id, PHONE)).lastInboundAt).toBe(T2 * 1000);
    // The version the line was stored under (nothing of the portal changed since).
    const version = await env.redis.get(env.keys.configVersion(M));
    expect(version).toEqual(expect.any(String));
    expect(env.timeZoneOf).toHaveBeenCalledWith(M, version);
    expect(await queuedOpenLines(env)).toEqual(['7', '7']);
  });

  it('a route gone stale: the number now another line’s, its message goes to that line’s open line and window', async () => {
    const s = await setup();
    expect(await s.deliver(text('hello', { timestamp: String(T1) }))).toBe('ordinary');
    // The number moves to a new line attached to open line 9 (the process still remembers `main`).
    await s.lines.remove(M, line.id);
    await s.lines.add({ ...line, id: 'second', createdAt: 1 });
    await s.openLines.attach(M, onLine('second', '9'));
    expect(await s.deliver(text('again', { timestamp: String(T2) }))).toBe('ordinary');
    expect(s.firstReads).toHaveBeenCalledWith(M, line.id, expect.anything());
    // The stale route's read (line main's attachment) was not this line's: read on its own, and
    // main's window not noted (the portal's version changed with the removal).
    expect(s.ownReads).toHaveBeenLastCalledWith(M, 'second');
    expect(s.ownNotes).toHaveBeenLastCalledWith(M, 'second', PHONE, T2 * 1000, expect.any(Number));
    expect((await s.windows.read(M, line.id, PHONE)).lastInboundAt).toBe(T1 * 1000);
    expect((await s.windows.read(M, 'second', PHONE)).lastInboundAt).toBe(T2 * 1000);
    expect((await queuedOpenLines(env)).sort()).toEqual(['7', '9']);
  });
});
