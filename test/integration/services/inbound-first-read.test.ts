import type { Attachment } from '../../../store/open-line-store';
import { queuedOpenLines, relayingInbound } from '../../helpers/inbound-on-wait-service';
import { line, M, setupWaitService, tap, text, type WaitServiceEnv } from '../../helpers/wait-service-env';

const onLine = (lineId: string, openLineId: string): Attachment => ({
  lineId,
  openLineId,
  relayTaken: true,
  active: true,
  attachedAt: 0,
});

/**
 * Under the number's route the process remembers, a customer message's first reads (the portal's
 * config version, the line's open-line attachment, the subscription count, the wait a tap names)
 * are one script, and the reply's time zone is read under that version. A route gone stale (the number now another line's)
 * must not lend its read to the line the message is for.
 */
describe('inbound: the first reads in one script under a remembered route', () => {
  let env: WaitServiceEnv;
  afterEach(() => env.redis.disconnect());

  async function setup() {
    env = setupWaitService();
    const s = await relayingInbound(env, onLine(line.id, '7'), { firstRead: true });
    const firstReads = jest.spyOn(s.firstReads, 'read');
    const ownReads = jest.spyOn(s.openLines, 'forLine');
    return { ...s, firstReads, ownReads };
  }

  it('a remembered route: the attachment comes from the first read, the time zone under its version', async () => {
    const s = await setup();
    // The first message finds the route (no route remembered yet: each read on its own).
    expect(await s.deliver(text('hello'))).toBe('ordinary');
    expect(s.firstReads).not.toHaveBeenCalled();
    expect(s.ownReads).toHaveBeenCalledTimes(1);
    const { wait } = await env.open();
    expect(await s.deliver(tap(wait.buttons[0]?.id ?? '', 'Yes'))).toBe('taken_by_wait');
    // The wait the tap names is read in the same script.
    expect(s.firstReads).toHaveBeenCalledTimes(1);
    expect(s.firstReads).toHaveBeenCalledWith(M, line.id, wait.id);
    expect(s.ownReads).toHaveBeenCalledTimes(1);
    // The version the line was stored under (nothing of the portal changed since).
    const version = await env.redis.get(env.keys.configVersion(M));
    expect(version).toEqual(expect.any(String));
    expect(env.timeZoneOf).toHaveBeenCalledWith(M, version);
    expect(await queuedOpenLines(env)).toEqual(['7', '7']);
  });

  it('a route gone stale: the number now another line’s, its message goes to that line’s open line', async () => {
    const s = await setup();
    expect(await s.deliver(text('hello'))).toBe('ordinary');
    // The number moves to a new line attached to open line 9 (the process still remembers `main`).
    await s.lines.remove(M, line.id);
    await s.lines.add({ ...line, id: 'second', createdAt: 1 });
    await s.openLines.attach(M, onLine('second', '9'));
    expect(await s.deliver(text('again'))).toBe('ordinary');
    expect(s.firstReads).toHaveBeenCalledWith(M, line.id, undefined);
    // The stale route's read (line main's attachment) was not this line's: read on its own.
    expect(s.ownReads).toHaveBeenLastCalledWith(M, 'second');
    expect((await queuedOpenLines(env)).sort()).toEqual(['7', '9']);
  });
});
