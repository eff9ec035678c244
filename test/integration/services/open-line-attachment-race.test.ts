import { createLogger } from '../../../lib/logger';
import { createOpenLineRelay } from '../../../openlines/open-line-relay';
import { OrdinaryMessages } from '../../../store/inbound-stream';
import { OpenLineOutbox } from '../../../store/open-line-outbox';
import { OpenLineStore } from '../../../store/open-line-store';
import { queuedOpenLines, relayingInbound } from '../../helpers/inbound-on-wait-service';
import { line, M, setupWaitService, tap, text, type WaitServiceEnv } from '../../helpers/wait-service-env';

/**
 * The inbound job reads the line's open-line attachment beside its first writes, but queues the
 * message for the open line only after the wait work (the stage read, a re-ask send): an attachment
 * changed meanwhile is found in the queueing step, and the message follows it.
 */
describe('an open-line attachment changed while a reply is processed', () => {
  let env: WaitServiceEnv;
  afterEach(() => env.redis.disconnect());

  async function setup() {
    env = setupWaitService();
    return relayingInbound(env, { lineId: line.id, openLineId: '7', relayTaken: true, active: true, attachedAt: 0 });
  }

  const queuedFor = () => queuedOpenLines(env);

  it('a tap taken by a wait: detached while the stage is read, nothing is queued for the old open line', async () => {
    const s = await setup();
    const { wait } = await env.open();
    env.stages.read.mockImplementationOnce(async () => {
      await s.openLines.detach(M, line.id);
      return 'NEW';
    });
    expect(await s.deliver(tap(wait.buttons[0]?.id ?? '', 'Yes'))).toBe('taken_by_wait');
    expect(await queuedFor()).toEqual([]);
  });

  it('off-script text: detached during the re-ask, nothing is queued for the old open line', async () => {
    const s = await setup();
    await env.open();
    env.sendReask.mockImplementationOnce(async () => {
      await s.openLines.detach(M, line.id);
      return undefined;
    });
    expect(await s.deliver(text('something else'))).toBe('ordinary');
    expect(env.sendReask).toHaveBeenCalledTimes(1);
    expect(await queuedFor()).toEqual([]);
  });

  it('moved to another open line while the stage is read: queued for the new one', async () => {
    const s = await setup();
    const { wait } = await env.open();
    env.stages.read.mockImplementationOnce(async () => {
      await s.openLines.attach(M, { lineId: line.id, openLineId: '9', relayTaken: true, active: true, attachedAt: 1 });
      return 'NEW';
    });
    expect(await s.deliver(tap(wait.buttons[0]?.id ?? '', 'Yes'))).toBe('taken_by_wait');
    expect(await queuedFor()).toEqual(['9']);
  });

  it('taken replies no longer relayed (the option turned off meanwhile): not queued', async () => {
    const s = await setup();
    const { wait } = await env.open();
    env.stages.read.mockImplementationOnce(async () => {
      await s.openLines.attach(M, { lineId: line.id, openLineId: '7', relayTaken: false, active: true, attachedAt: 1 });
      return 'NEW';
    });
    expect(await s.deliver(tap(wait.buttons[0]?.id ?? '', 'Yes'))).toBe('taken_by_wait');
    expect(await queuedFor()).toEqual([]);
  });

  it('moved during the re-ask: the ordinary message goes to the new open line', async () => {
    const s = await setup();
    await env.open();
    env.sendReask.mockImplementationOnce(async () => {
      await s.openLines.attach(M, { lineId: line.id, openLineId: '9', relayTaken: false, active: true, attachedAt: 1 });
      return undefined;
    });
    expect(await s.deliver(text('something else'))).toBe('ordinary');
    expect(await queuedFor()).toEqual(['9']);
  });

  it('unchanged: queued for the open line read at the start', async () => {
    const s = await setup();
    const { wait } = await env.open();
    expect(await s.deliver(tap(wait.buttons[0]?.id ?? '', 'Yes'))).toBe('taken_by_wait');
    expect(await queuedFor()).toEqual(['7']);
  });

  it('an attachment that changes after every read: the job of a taken reply fails to be retried, nothing queued', async () => {
    const { lines } = await setup();
    const store = new OpenLineStore(env.redis, env.keys);
    let moves = 0;
    const relay = createOpenLineRelay({
      stream: new OrdinaryMessages(env.redis, env.keys),
      // The admin moves the line after each read (7, 8, 9…): the queueing step never finds what was read.
      openLines: {
        forLine: async (memberId, lineId) => {
          const read = await store.forLine(memberId, lineId);
          moves += 1;
          const openLineId = String(7 + moves);
          await store.attach(memberId, { lineId, openLineId, relayTaken: true, active: true, attachedAt: moves });
          return read;
        },
        sentRefOf: (memberId, id) => store.sentRefOf(memberId, id),
      },
      outbox: new OpenLineOutbox(env.redis, env.keys, env.clock),
      lines,
      // cast: the relay reads the portal's language only
      portals: { get: async () => ({ languageId: 'en' }) as never },
      clock: env.clock,
      log: createLogger('silent'),
    });
    const message = {
      line: line.id,
      from: '79161234567',
      name: '',
      id: 'wamid.c1',
      type: 'text',
      text: 'hi',
      raw: '{}',
    };
    // A taken reply (relayed: relayTaken) reads the attachment through forLine each time; an
    // ordinary message's first read is the stream append's own.
    await expect(relay.taken(M, message)).rejects.toMatchObject({ code: 'open_line_changing', retryable: true });
    expect(moves).toBe(3);
    expect(await queuedFor()).toEqual([]);
  });
});
