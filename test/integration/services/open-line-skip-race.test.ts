import type { Job } from 'bullmq';
import { createLogger } from '../../../lib/logger';
import { createMetrics } from '../../../lib/metrics';
import { createSecretBox } from '../../../lib/secret-box';
import { createOpenLineRelay } from '../../../openlines/open-line-relay';
import type { InboundMessage } from '../../../providers/inbound-message';
import type { InboundJob } from '../../../queues/job-schemas';
import { OrdinaryMessages } from '../../../store/inbound-stream';
import { LineStore } from '../../../store/line-store';
import { chatItemSchema, OpenLineOutbox } from '../../../store/open-line-outbox';
import { type Attachment, OpenLineStore } from '../../../store/open-line-store';
import { createInboundProcessor } from '../../../workers/inbound-processor';
import { line, M, setupWaitService, tap, text, type WaitServiceEnv } from '../../helpers/wait-service-env';

const job = (data: InboundJob) => ({ data, attemptsMade: 0, opts: { attempts: 8 } }) as unknown as Job<InboundJob>;
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
 * skip marker; an unnumbered one is read again only when its line has an attachment.
 */
describe('an open line attached or switched on while a message is processed', () => {
  let env: WaitServiceEnv;
  afterEach(() => env.redis.disconnect());

  async function setup(attachment: Attachment | null) {
    env = setupWaitService();
    const lines = new LineStore(env.redis, env.keys, createSecretBox(Buffer.alloc(32, 5)));
    await lines.add(line);
    const openLines = new OpenLineStore(env.redis, env.keys);
    if (attachment) await openLines.attach(M, attachment);
    const relay = createOpenLineRelay({
      stream: new OrdinaryMessages(env.redis, env.keys),
      openLines,
      outbox: new OpenLineOutbox(env.redis, env.keys, env.clock),
      lines,
      // cast: the relay reads the portal's language only
      portals: { get: async () => ({ languageId: 'en' }) as never },
      clock: env.clock,
      log: createLogger('silent'),
    });
    const run = createInboundProcessor({
      lines,
      messages: env.messages,
      ordinary: relay,
      openLineRelay: relay,
      clock: env.clock,
      log: createLogger('silent'),
      metrics: createMetrics(),
      waits: { onNumberChanged: async () => 0 },
      takeReply: (l, message, options) => env.service.takeReply(l, message, options),
    });
    /** `chatSeq`: the number the webhook door gave it (it found the line attached and switched on). */
    const deliver = (event: InboundMessage, chatSeq?: number) =>
      run(job({ phoneNumberId: line.phoneNumberId, kind: 'message', event, receivedAt: 5, chatSeq }));
    return { deliver, openLines };
  }

  /** What is queued in every chat of the portal: the open line of a customer item, or the item's kind. */
  async function queued(): Promise<string[]> {
    const chats = await env.redis.keys(env.keys.openLineQueue(M, '*'));
    const members = (await Promise.all(chats.map((k) => env.redis.zrange(k, 0, -1)))).flat();
    return members.map((raw) => {
      const item = chatItemSchema.parse(JSON.parse(raw));
      return item.kind === 'customer' ? item.openLineId : item.kind;
    });
  }

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

  it('a line without an open line reads its attachment once: no read, no write more for the decision', async () => {
    const s = await setup(null);
    await env.open();
    const reads = jest.spyOn(env.redis, 'hget');
    const scripts = jest.spyOn(env.redis, 'evalsha');
    expect(await s.deliver(text('something else'))).toBe('ordinary');
    const attachment = env.keys.openLineAttachments(M);
    expect(reads.mock.calls.filter(([key]) => key === attachment)).toHaveLength(1);
    expect(scripts.mock.calls.filter((call) => call.includes(attachment))).toEqual([]);
    expect(await queued()).toEqual([]);
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
