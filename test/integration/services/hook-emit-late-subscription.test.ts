import type { Job } from 'bullmq';
import { eventPayloadSchema } from '../../../hooks/event-schemas';
import { HookEmitter } from '../../../hooks/hook-emitter';
import { HookStore } from '../../../hooks/hook-store';
import { createAddressPolicy } from '../../../lib/address-policy';
import { createLogger } from '../../../lib/logger';
import { createMetrics } from '../../../lib/metrics';
import { createSecretBox } from '../../../lib/secret-box';
import type { InboundJob } from '../../../queues/job-schemas';
import { OrdinaryMessages } from '../../../store/inbound-stream';
import { LineStore } from '../../../store/line-store';
import type { MessageStore } from '../../../store/message-store';
import { createInboundProcessor } from '../../../workers/inbound-processor';
import { streamFields } from '../../helpers/signals';
import { line, M, setupWaitService, tap, type WaitServiceEnv } from '../../helpers/wait-service-env';

/** A job as the processor reads it. */
function jobOf(data: InboundJob): Job<InboundJob> {
  // cast: the processor reads data, attemptsMade and opts.attempts only.
  return { data, attemptsMade: 0, opts: { attempts: 8 } } as unknown as Job<InboundJob>;
}

// hooks/hook-emitter.ts promises that a new subscription gets every event after it. A job that found the
// portal without subscriptions must still tell one added while it works, when its event comes after it.
describe('a subscription added while an inbound job works (real Redis)', () => {
  let env: WaitServiceEnv;
  let hooks: HookStore;
  const box = createSecretBox(Buffer.alloc(32, 5));
  const addresses = createAddressPolicy({ allowPrivate: true });
  /** The events in the portal's stream: type and what they are about. */
  const emitted = async () => {
    const entries = await env.redis.xrange(env.keys.hookEvents(M), '-', '+');
    return entries
      .map(([, fields]) => eventPayloadSchema.parse(JSON.parse(streamFields(fields).get('body') ?? '')))
      .map((e) => [e.type, e.type === 'wait.ended' ? e.data.wait_id : e.data.message_id]);
  };
  const subscribe = () => hooks.add({ memberId: M, url: 'https://hooks.example.com/late', events: [], now: 0 });
  beforeEach(() => {
    env = setupWaitService();
    hooks = new HookStore({ redis: env.redis, keys: env.keys, box, addresses, allowPrivate: true });
  });
  afterEach(() => env.redis.disconnect());

  function processor(
    messages: Pick<MessageStore, 'applyStatus'> = env.messages,
    o: { events?: false; ordinary?: Parameters<typeof createInboundProcessor>[0]['ordinary'] } = {},
  ) {
    const lines = new LineStore(env.redis, env.keys, box);
    const emitter = new HookEmitter(env.redis, env.keys);
    const asked: string[] = [];
    const run = createInboundProcessor({
      lines,
      messages,
      ordinary: o.ordinary ?? { append: async () => undefined },
      clock: env.clock,
      log: createLogger('silent'),
      metrics: createMetrics(),
      waits: { onNumberChanged: async () => 0 },
      takeReply: (l, message, options) => env.service.takeReply(l, message, options),
      events:
        o.events === false
          ? undefined
          : {
              emit: (event, now) => emitter.emit(event, now),
              subscribed: (memberId, now) => {
                asked.push(memberId);
                return emitter.subscribed(memberId, now);
              },
            },
    });
    return { lines, run, asked };
  }

  it('message.received, then wait.ended, reach a subscription added while the reply read the stage (before the wait ended)', async () => {
    const p = processor();
    await p.lines.add(line);
    const { wait } = await env.open();
    env.stages.read.mockClear();
    env.stages.read.mockImplementationOnce(async () => {
      await subscribe();
      return 'NEW';
    });
    const event = { ...tap(wait.buttons[0]?.id ?? '', 'Yes'), id: 'wamid.late1' };
    const job: InboundJob = { phoneNumberId: line.phoneNumberId, kind: 'message', event, receivedAt: 5 };
    expect(await p.run(jobOf(job))).toBe('taken_by_wait');
    expect(env.stages.read).toHaveBeenCalledTimes(1);
    // The job read no subscriptions; the wait's end found one: the message is told first, then its end.
    expect(await emitted()).toEqual([
      ['message.received', 'wamid.late1'],
      ['wait.ended', wait.id],
    ]);
  });

  it('message.received reaches a subscription added before an ordinary message was kept', async () => {
    const stream = new OrdinaryMessages(env.redis, env.keys);
    const p = processor(env.messages, {
      ordinary: {
        append: async (memberId, message) => {
          await subscribe();
          return stream.append(memberId, message);
        },
      },
    });
    await p.lines.add(line);
    const event = { from: '79001234567', id: 'wamid.plain1', timestamp: '5', type: 'text', text: { body: 'hi' } };
    const job: InboundJob = { phoneNumberId: line.phoneNumberId, kind: 'message', event, receivedAt: 5 };
    expect(await p.run(jobOf(job))).toBe('ordinary');
    // The job read no subscriptions (asked once, at its start); the keeping counted the new one.
    expect(p.asked).toEqual([M]);
    expect(await emitted()).toEqual([['message.received', 'wamid.plain1']]);
    expect(await env.redis.xlen(env.keys.inboundStream(M))).toBe(1);
  });

  it('message.status reaches a subscription added while the status was being stored', async () => {
    const p = processor({
      applyStatus: async (...args: Parameters<MessageStore['applyStatus']>) => {
        await subscribe();
        return env.messages.applyStatus(...args);
      },
    });
    await p.lines.add(line);
    const status = { id: 'wamid.out9', status: 'delivered', recipient_id: '1' };
    const job: InboundJob = { phoneNumberId: line.phoneNumberId, kind: 'status', event: status, receivedAt: 5 };
    expect(await p.run(jobOf(job))).toBe('status_delivered');
    expect(await emitted()).toEqual([['message.status', 'wamid.out9']]);
  });

  it('a status that never becomes an event does not ask for the subscriptions', async () => {
    await subscribe();
    const p = processor();
    await p.lines.add(line);
    const status = { id: 'wamid.out9', status: 'deleted', recipient_id: '1' };
    const job: InboundJob = { phoneNumberId: line.phoneNumberId, kind: 'status', event: status, receivedAt: 5 };
    expect(await p.run(jobOf(job))).toBe('status_unknown');
    expect(p.asked).toEqual([]);
    expect(await emitted()).toEqual([]);
    // A known one does ask (and is told).
    expect(await p.run(jobOf({ ...job, event: { ...status, status: 'read' } }))).toBe('status_read');
    expect(p.asked).toEqual([M]);
    expect(await emitted()).toEqual([['message.status', 'wamid.out9']]);
  });

  it('a processor composed without events still lets the wait store tell wait.ended', async () => {
    await subscribe();
    const p = processor(env.messages, { events: false });
    await p.lines.add(line);
    const { wait } = await env.open();
    const event = { ...tap(wait.buttons[0]?.id ?? '', 'Yes'), id: 'wamid.late2' };
    const job: InboundJob = { phoneNumberId: line.phoneNumberId, kind: 'message', event, receivedAt: 5 };
    expect(await p.run(jobOf(job))).toBe('taken_by_wait');
    expect(await emitted()).toEqual([['wait.ended', wait.id]]);
  });
});
