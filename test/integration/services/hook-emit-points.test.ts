import type { Job } from 'bullmq';
import { eventPayloadSchema } from '../../../hooks/event-schemas';
import { HookEmitter } from '../../../hooks/hook-emitter';
import { HookStore } from '../../../hooks/hook-store';
import { createAddressPolicy } from '../../../lib/address-policy';
import { createLogger } from '../../../lib/logger';
import { createMetrics } from '../../../lib/metrics';
import { createSecretBox } from '../../../lib/secret-box';
import type { InboundMessage } from '../../../providers/inbound-message';
import type { InboundJob } from '../../../queues/job-schemas';
import { forgetPortalData } from '../../../store/forget-portal';
import { type Line, LineStore } from '../../../store/line-store';
import { createInboundProcessor } from '../../../workers/inbound-processor';
import { pollUntil } from '../../helpers/poll';
import { watchCommands } from '../../helpers/redis-monitor';
import { streamFields } from '../../helpers/signals';
import { line, M, PHONE, setupWaitService, tap, type WaitServiceEnv } from '../../helpers/wait-service-env';

/** A job as the processor reads it; `attemptsMade` says which try this is. */
function jobOf(data: InboundJob, attemptsMade = 0): Job<InboundJob> {
  // cast: the processor reads data, attemptsMade and opts.attempts only.
  return { data, attemptsMade, opts: { attempts: 8 } } as unknown as Job<InboundJob>;
}

// Where events are emitted, and that a crash between the state change and the emit loses none and
// a retry repeats none (event ids derive from the source).
describe('outbound event emission points (real Redis)', () => {
  let env: WaitServiceEnv;
  let hooks: HookStore;
  const box = createSecretBox(Buffer.alloc(32, 5));
  const emitted = async () => {
    const entries = await env.redis.xrange(env.keys.hookEvents(M), '-', '+');
    return entries.map(([, fields]) => eventPayloadSchema.parse(JSON.parse(streamFields(fields).get('body') ?? '')));
  };
  const addresses = createAddressPolicy({ allowPrivate: true });
  beforeEach(async () => {
    env = setupWaitService();
    hooks = new HookStore({ redis: env.redis, keys: env.keys, box, addresses, allowPrivate: true });
    await hooks.add({ memberId: M, url: 'https://hooks.example.com/in', events: [], now: 0 });
  });
  afterEach(() => env.redis.disconnect());

  function processor(
    o: {
      takeReply?: (line: Line, message: InboundMessage, options?: { ready?: Promise<void> }) => Promise<boolean>;
      failEmits?: number;
    } = {},
  ) {
    const emitter = new HookEmitter(env.redis, env.keys);
    let failures = o.failEmits ?? 0;
    const calls = { emits: 0 };
    const lines = new LineStore(env.redis, env.keys, box);
    return {
      lines,
      run: createInboundProcessor({
        lines,
        messages: env.messages,
        ordinary: { append: async () => undefined },
        clock: env.clock,
        log: createLogger('silent'),
        metrics: createMetrics(),
        waits: { onNumberChanged: async () => 0 },
        takeReply: o.takeReply,
        events: {
          async emit(event, now) {
            calls.emits += 1;
            if (failures-- > 0) throw new Error('the worker died here');
            return emitter.emit(event, now);
          },
          subscribed: (memberId, now) => emitter.subscribed(memberId, now),
        },
      }),
      calls,
    };
  }

  it('message.received is emitted before a wait takes the message: a crash after a wait took it still tells, a retry does not repeat it', async () => {
    let attempt = 0;
    const p = processor({
      // As takeReply does, nothing is touched before `ready` (the message's first writes are done).
      takeReply: async (_line, _message, options) => {
        await options?.ready;
        attempt += 1;
        if (attempt === 1) throw new Error('worker died after the wait was claimed');
        return true;
      },
    });
    await p.lines.add(line);
    const job: InboundJob = {
      phoneNumberId: line.phoneNumberId,
      kind: 'message',
      event: tap('x', 'Да'),
      receivedAt: 5,
      contactName: 'Анна',
    };
    await expect(p.run(jobOf(job))).rejects.toThrow(/worker died/);
    expect((await emitted()).map((e) => e.type)).toEqual(['message.received']);
    expect(await p.run(jobOf(job, 1))).toBe('taken_by_wait');
    const [event] = await emitted();
    expect(await emitted()).toHaveLength(1);
    expect(event).toMatchObject({
      type: 'message.received',
      line: line.id,
      data: { from: PHONE, text: 'Да', contact_name: 'Анна' },
    });
  });

  it('message.status: a crash after the status was stored emits on the retry, once', async () => {
    const p = processor({ failEmits: 1 });
    await p.lines.add(line);
    const status = {
      id: 'wamid.out9',
      status: 'failed',
      recipient_id: PHONE,
      errors: [{ code: 131047, title: 'Re-engagement message' }],
    };
    const job: InboundJob = { phoneNumberId: line.phoneNumberId, kind: 'status', event: status, receivedAt: 5 };
    await expect(p.run(jobOf(job))).rejects.toThrow(/worker died/);
    expect(await env.messages.get(M, 'wamid.out9')).toMatchObject({ status: 'failed' });
    expect(await emitted()).toHaveLength(0);
    await p.run(jobOf(job, 1));
    await p.run(jobOf(job, 2));
    const events = await emitted();
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      type: 'message.status',
      data: { message_id: 'wamid.out9', status: 'failed', error_code: '131047', error_title: 'Re-engagement message' },
    });
  });

  it('wait.ended is written by the script that ends the wait (nothing after it to crash), once', async () => {
    const { wait } = await env.open();
    await env.service.takeReply(line, tap(wait.buttons[0]?.id ?? '', 'Yes'));
    await env.service.onTimeout(M, wait.id, { checkStage: false });
    const ended = (await emitted()).filter((e) => e.type === 'wait.ended');
    expect(ended).toHaveLength(1);
    expect(ended[0]).toMatchObject({
      id: `wait.${wait.id}`,
      line: line.id,
      data: {
        wait_id: wait.id,
        status: 'answered',
        reason: 'reply',
        return_values: { status: 'answered', answer: 'Yes' },
      },
    });
    // Ended with no callback at all (the robot is gone): still told.
    const second = await env.open();
    expect(await env.store.end(second.wait, 'cancelled', 'stage_changed', null, env.clock.now())).toBe('claimed');
    const cancelled = (await emitted()).filter((e) => e.type === 'wait.ended' && e.data.wait_id === second.wait.id);
    expect(cancelled[0]?.data).toMatchObject({ status: 'cancelled', reason: 'stage_changed', return_values: {} });
  });

  it('a portal without subscriptions gets no message.received built; one subscribed by another process gets the very next events', async () => {
    // No subscriptions: the `beforeEach` one goes.
    const [first] = await hooks.list(M);
    expect(await hooks.remove(first?.id ?? '')).toBe(true);
    const p = processor({ takeReply: (l, message, options) => env.service.takeReply(l, message, options) });
    await p.lines.add(line);
    const reply = async (n: number) => {
      const { wait } = await env.open();
      const event = { ...tap(wait.buttons[0]?.id ?? '', 'Yes'), id: `wamid.in${n}` };
      const job: InboundJob = { phoneNumberId: line.phoneNumberId, kind: 'message', event, receivedAt: 5 };
      expect(await p.run(jobOf(job))).toBe('taken_by_wait');
      return wait;
    };
    await reply(1);
    // wait.ended is built still: the end script, which counts the subscriptions, drops it.
    expect(p.calls.emits).toBe(0);
    expect(await emitted()).toEqual([]);
    // Another process (its own connection and store) subscribes: the next reply's events are all told.
    const other = env.redis.duplicate();
    try {
      const elsewhere = new HookStore({ redis: other, keys: env.keys, box, addresses, allowPrivate: true });
      await elsewhere.add({ memberId: M, url: 'https://hooks.example.com/new', events: [], now: 0 });
    } finally {
      other.disconnect();
    }
    const second = await reply(2);
    expect(p.calls.emits).toBe(1);
    expect(
      (await emitted()).map((e) => [e.type, e.type === 'wait.ended' ? e.data.wait_id : e.data.message_id]),
    ).toEqual([
      ['message.received', 'wamid.in2'],
      ['wait.ended', second.id],
    ]);
    // All removed: "has some" is still remembered here a few seconds, but the emit script counts
    // them again, so nothing more goes into the (deleted) stream.
    for (const subscription of await hooks.list(M)) expect(await hooks.remove(subscription.id)).toBe(true);
    await reply(3);
    expect(p.calls.emits).toBe(2);
    expect(await emitted()).toEqual([]);
  });

  it('the waits are read beside the first writes, but none is ended before they are done: an emit that fails leaves the wait open', async () => {
    const p = processor({
      failEmits: 1,
      takeReply: (l, message, options) => env.service.takeReply(l, message, options),
    });
    await p.lines.add(line);
    const { wait } = await env.open();
    const event = { ...tap(wait.buttons[0]?.id ?? '', 'Yes'), id: 'wamid.in7' };
    const job: InboundJob = { phoneNumberId: line.phoneNumberId, kind: 'message', event, receivedAt: 5 };
    await expect(p.run(jobOf(job))).rejects.toThrow(/worker died/);
    expect((await env.store.get(M, wait.id))?.status).toBe('open');
    expect(await emitted()).toEqual([]);
    expect(await p.run(jobOf(job, 1))).toBe('taken_by_wait');
    expect((await env.store.get(M, wait.id))?.status).toBe('answered');
    expect((await emitted()).map((e) => e.type)).toEqual(['message.received', 'wait.ended']);
  });

  it('a real takeReply reads the waits at once but touches none (no write, no stage read) before ready resolves', async () => {
    const { wait } = await env.open();
    env.stages.read.mockClear();
    const watch = await watchCommands(process.env.TEST_REDIS_URL ?? '', env.keys.prefix);
    try {
      const releases: Array<() => void> = [];
      const ready = new Promise<void>((resolve) => releases.push(resolve));
      const taken = env.service.takeReply(line, tap(wait.buttons[0]?.id ?? '', 'Yes'), { ready });
      await pollUntil(async () => (await watch.seen()).length > 0, 5000, 'the wait to be read');
      // Answered after that read on the same connection: the reply's steps up to `ready` have run.
      await env.redis.ping();
      expect((await watch.seen()).filter((c) => !c.fromScript).map((c) => c.name)).not.toContain('evalsha');
      expect(env.stages.read).not.toHaveBeenCalled();
      expect(await env.status(wait.id)).toBe('open');
      for (const release of releases) release();
      expect(await taken).toBe(true);
      expect(await env.status(wait.id)).toBe('answered');
    } finally {
      await watch.stop();
    }
  });

  it("an uninstall forgets the portal's subscriptions and events", async () => {
    const [subscription] = await hooks.list(M);
    const { wait } = await env.open();
    await env.service.cancel(M, wait.id);
    expect(await emitted()).toHaveLength(1);
    await forgetPortalData(env.redis, env.keys, M);
    expect(await hooks.get(subscription?.id ?? '')).toBeNull();
    expect(await hooks.portals()).toEqual([]);
    expect(await env.redis.exists(env.keys.hookEvents(M))).toBe(0);
  });
});
