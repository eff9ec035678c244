import type { InboundMessage } from '../../../providers/inbound-message';
import type { Attachment } from '../../../store/open-line-store';
import { queuedOpenLines, relayingInbound } from '../../helpers/inbound-on-wait-service';
import { line, M, setupWaitService, tap, text, type WaitServiceEnv } from '../../helpers/wait-service-env';

const on7 = (extra: Partial<Attachment> = {}): Attachment => ({
  lineId: line.id,
  openLineId: '7',
  relayTaken: true,
  active: true,
  attachedAt: 0,
  ...extra,
});

/**
 * The inbound job reads the line's open-line attachment at its start and decides after the wait
 * work (the stage read, a re-ask send). A decision NOT to queue is checked too: a line attached,
 * switched on or made to relay taken replies meanwhile gets the message, not only its later ones.
 * A numbered message (its webhook found the line attached) is checked in the step that writes its
 * skip marker; an unnumbered ordinary one is decided on the attachment read as the stream keeps it
 * (after the wait work); an unnumbered taken one is read again only when its line has an attachment.
 */
describe('an open line attached or switched on while a message is processed', () => {
  let env: WaitServiceEnv;
  afterEach(() => env.redis.disconnect());

  async function setup(attachment: Attachment | null) {
    env = setupWaitService();
    const { deliver, openLines } = await relayingInbound(env, attachment);
    /** `chatSeq`: the number the webhook door gave it (it found the line attached and switched on). */
    return { deliver: (event: InboundMessage, chatSeq?: number) => deliver(event, {}, chatSeq), openLines };
  }

  const queued = () => queuedOpenLines(env);

  it('switched off at the start, on again while the stage is read: the numbered tap is queued, not skipped', async () => {
    const s = await setup(on7({ active: false }));
    const { wait } = await env.open();
    env.stages.read.mockImplementationOnce(async () => {
      await s.openLines.setActive(M, '7', true);
      return 'NEW';
    });
    expect(await s.deliver(tap(wait.buttons[0]?.id ?? '', 'Yes'), 1)).toBe('taken_by_wait');
    expect(await queued()).toEqual(['7']);
  });

  it('detached at the start, attached to another open line during the re-ask: the numbered text goes there', async () => {
    const s = await setup(null);
    await env.open();
    env.sendReask.mockImplementationOnce(async () => {
      await s.openLines.attach(M, on7({ openLineId: '9', attachedAt: 1 }));
      return undefined;
    });
    expect(await s.deliver(text('something else'), 1)).toBe('ordinary');
    expect(env.sendReask).toHaveBeenCalledTimes(1);
    expect(await queued()).toEqual(['9']);
  });

  it('taken replies relayed from the middle of the stage read on: the numbered tap is queued', async () => {
    const s = await setup(on7({ relayTaken: false }));
    const { wait } = await env.open();
    env.stages.read.mockImplementationOnce(async () => {
      await s.openLines.attach(M, on7({ relayTaken: true, attachedAt: 1 }));
      return 'NEW';
    });
    expect(await s.deliver(tap(wait.buttons[0]?.id ?? '', 'Yes'), 1)).toBe('taken_by_wait');
    expect(await queued()).toEqual(['7']);
  });

  it('an unnumbered message of a switched-off line switched on meanwhile: read again and queued', async () => {
    const s = await setup(on7({ active: false }));
    await env.open();
    env.sendReask.mockImplementationOnce(async () => {
      await s.openLines.setActive(M, '7', true);
      return undefined;
    });
    expect(await s.deliver(text('something else'))).toBe('ordinary');
    expect(await queued()).toEqual(['7']);
  });

  it('a line without an open line: no round trip more for the decision (read ahead, and in the append’s own step)', async () => {
    const s = await setup(null);
    await env.open();
    const reads = jest.spyOn(env.redis, 'hget');
    const scripts = jest.spyOn(env.redis, 'evalsha');
    expect(await s.deliver(text('something else'))).toBe('ordinary');
    const attachment = env.keys.openLineAttachments(M);
    expect(reads.mock.calls.filter(([key]) => key === attachment)).toHaveLength(1);
    // The stream append alone names the attachments (no skip, no queueing step is run).
    const named = scripts.mock.calls.filter((call) => call.includes(attachment));
    expect(named).toHaveLength(1);
    expect(named[0]).toContain(env.keys.inboundStream(M));
    expect(await queued()).toEqual([]);
  });

  it('no attachment at the start, attached during the re-ask: the unnumbered text is queued (read as it is kept)', async () => {
    const s = await setup(null);
    await env.open();
    env.sendReask.mockImplementationOnce(async () => {
      await s.openLines.attach(M, on7({ attachedAt: 1 }));
      return undefined;
    });
    expect(await s.deliver(text('something else'))).toBe('ordinary');
    expect(env.sendReask).toHaveBeenCalledTimes(1);
    expect(await queued()).toEqual(['7']);
  });

  it('switched off while the stage is read (setActive false): nothing for the open line, the number is skipped', async () => {
    const s = await setup(on7());
    const { wait } = await env.open();
    env.stages.read.mockImplementationOnce(async () => {
      await s.openLines.setActive(M, '7', false);
      return 'NEW';
    });
    expect(await s.deliver(tap(wait.buttons[0]?.id ?? '', 'Yes'), 1)).toBe('taken_by_wait');
    expect(await queued()).toEqual(['skip']);
  });

  it('switched off during the re-ask, unnumbered: nothing is queued at all', async () => {
    const s = await setup(on7());
    await env.open();
    env.sendReask.mockImplementationOnce(async () => {
      await s.openLines.setActive(M, '7', false);
      return undefined;
    });
    expect(await s.deliver(text('something else'))).toBe('ordinary');
    expect(await queued()).toEqual([]);
  });

  it('still switched off when it is decided: the numbered message settles its number with a skip', async () => {
    const s = await setup(on7({ active: false }));
    await env.open();
    expect(await s.deliver(text('something else'), 1)).toBe('ordinary');
    expect(await queued()).toEqual(['skip']);
  });
});
