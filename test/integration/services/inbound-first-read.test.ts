import { InboundFirstReads } from '../../../store/inbound-first-read';
import type { Attachment } from '../../../store/open-line-store';
import type { InboundDeps } from '../../../workers/inbound-processor';
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

  /** `deps`: more of the processor's (its events, providers). */
  async function setup(deps: Partial<InboundDeps> = {}) {
    env = setupWaitService();
    const s = await relayingInbound(env, onLine(line.id, '7'), { firstRead: true, deps });
    const firstReads = jest.spyOn(s.firstReads, 'read');
    const ownReads = jest.spyOn(s.openLines, 'forLine');
    const ownNotes = jest.spyOn(s.windows, 'note');
    return { ...s, store: s.firstReads, firstReads, ownReads, ownNotes };
  }

  it('a remembered route: attachment, wait and window in the first script, the time zone under its version', async () => {
    const s = await setup();
    // The first message finds the route (no route remembered yet: each read and the note on its own).
    expect(await s.deliver(text('hello', { timestamp: String(T1) }))).toBe('ordinary');
    expect(s.firstReads).not.toHaveBeenCalled();
    expect([s.ownReads.mock.calls.length, s.ownNotes.mock.calls.length]).toEqual([1, 1]);
    const { wait } = await env.open();
    const waitReads = jest.spyOn(env.store, 'get');
    expect(await s.deliver({ ...tap(wait.buttons[0]?.id ?? '', 'Yes'), timestamp: String(T2) })).toBe('taken_by_wait');
    // The tapped wait came from the script's read, not one of its own.
    expect(waitReads).not.toHaveBeenCalled();
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

  it('a route that lapses between the first read and the line lookup: the line found is the one the read noted', async () => {
    const s = await setup();
    expect(await s.deliver(text('hello', { timestamp: String(T1) }))).toBe('ordinary');
    // By hand, without a new version of M: the index names a line of another portal with the same
    // number (as after two adds that raced, or a hand repair). M still lists `main` with it.
    await env.redis.del(env.keys.lineByNumber(line.phoneNumberId));
    await s.lines.add({ ...line, memberId: 'm2', id: 'other', createdAt: 1 });
    // The process's remembered route (and copies) lapse right after the first read: 5 s pass.
    s.firstReads.mockImplementationOnce(async (...args) => {
      const read = await InboundFirstReads.prototype.read.apply(s.store, args);
      env.clock.advance(5000);
      return read;
    });
    expect(await s.deliver(text('again', { timestamp: String(T2) }))).toBe('ordinary');
    // The script noted main's window under the remembered route: the job serves main, and notes no other line.
    expect(s.ownNotes).toHaveBeenCalledTimes(1);
    expect((await s.windows.read(M, line.id, PHONE)).lastInboundAt).toBe(T2 * 1000);
    expect((await s.windows.read('m2', 'other', PHONE)).lastInboundAt).toBeUndefined();
    expect(await queuedOpenLines(env)).toEqual(['7', '7']);
  });

  it('the same line under a moved version (a second line added): the script notes nothing, the job notes once', async () => {
    const s = await setup();
    expect(await s.deliver(text('hello', { timestamp: String(T1) }))).toBe('ordinary');
    await s.lines.add({ ...line, id: 'second', phoneNumberId: '200', createdAt: 1 });
    expect(await s.deliver(text('again', { timestamp: String(T2) }))).toBe('ordinary');
    // Asked to note under the copy's older version: refused, so the job noted it itself, once.
    expect(s.firstReads).toHaveBeenCalledWith(M, line.id, expect.objectContaining({ note: expect.anything() }));
    expect((await s.firstReads.mock.results[0]?.value)?.noted).toBe(false);
    expect(s.ownNotes).toHaveBeenCalledTimes(2);
    expect(s.ownNotes).toHaveBeenLastCalledWith(M, line.id, PHONE, T2 * 1000, expect.any(Number));
    expect((await s.windows.read(M, line.id, PHONE)).lastInboundAt).toBe(T2 * 1000);
  });

  it('a retried tap under a remembered route, its wait ended by the first attempt: taken, one callback', async () => {
    const s = await setup();
    expect(await s.deliver(text('hello', { timestamp: String(T1) }))).toBe('ordinary');
    const { wait, eventToken } = await env.open();
    const event = { ...tap(wait.buttons[0]?.id ?? '', 'Yes'), timestamp: String(T2) };
    expect(await s.deliver(event, { attemptsMade: 0, attemptsStarted: 1 })).toBe('taken_by_wait');
    expect(await s.deliver(event, { attemptsMade: 1, attemptsStarted: 2 })).toBe('taken_by_wait');
    expect(s.firstReads).toHaveBeenCalledTimes(2);
    expect([...(await env.callbacks()).keys()]).toEqual([eventToken]);
    expect(await env.status(wait.id)).toBe('answered');
  });

  it('a line whose provider keeps no window (green-api): no note from the script or the job', async () => {
    const s = await setup({ providerFor: () => ({ capabilities: new Set(['text' as const]) }) });
    expect(await s.deliver(text('hello', { timestamp: String(T1) }))).toBe('ordinary');
    expect(await s.deliver(text('again', { timestamp: String(T2) }))).toBe('ordinary');
    expect(s.firstReads).toHaveBeenCalledWith(M, line.id, expect.objectContaining({ note: undefined }));
    expect(s.ownNotes).not.toHaveBeenCalled();
    expect((await s.windows.read(M, line.id, PHONE)).lastInboundAt).toBeUndefined();
  });

  it('a system notice under a remembered route: no note, no message.received', async () => {
    const emit = jest.fn(async () => true);
    const s = await setup({ events: { emit, subscribed: async () => true } });
    expect(await s.deliver(text('hello', { timestamp: String(T1) }))).toBe('ordinary');
    expect(emit).toHaveBeenCalledTimes(1);
    const notice = {
      ...text(''),
      type: 'system',
      timestamp: String(T2),
      system: { type: 'customer_identity_changed' },
    };
    expect(await s.deliver(notice)).toBe('ordinary');
    expect(s.firstReads).toHaveBeenCalledWith(M, line.id, expect.objectContaining({ note: undefined }));
    expect(s.ownNotes).toHaveBeenCalledTimes(1);
    expect((await s.windows.read(M, line.id, PHONE)).lastInboundAt).toBe(T1 * 1000);
    expect(emit).toHaveBeenCalledTimes(1);
  });
});
