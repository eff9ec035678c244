import type { Job } from 'bullmq';
import { HookEmitter } from '../../../hooks/hook-emitter';
import { createLogger } from '../../../lib/logger';
import { createMetrics } from '../../../lib/metrics';
import { createSecretBox } from '../../../lib/secret-box';
import type { InboundJob } from '../../../queues/job-schemas';
import { waitScripts } from '../../../redis/wait-scripts';
import { LineStore } from '../../../store/line-store';
import { createInboundProcessor } from '../../../workers/inbound-processor';
import { line, M, setupWaitService, tap, type WaitServiceEnv } from '../../helpers/wait-service-env';

// cast: the processor reads data, attemptsMade and opts.attempts only
const job = (data: InboundJob) => ({ data, attemptsMade: 0, opts: { attempts: 8 } }) as unknown as Job<InboundJob>;

/**
 * A reply's job reads whether the portal has outbound-event subscriptions (for message.received):
 * its wait end takes that answer as the hint, so a subscribed portal's `wait.ended` is built up
 * front (one end script run, not a refused one and a second), and later ends in the process
 * (time-outs, cancels) find the hint fresh too.
 */
describe("a reply's wait end and the job's own read of the portal's subscriptions", () => {
  let env: WaitServiceEnv;
  afterEach(() => {
    jest.restoreAllMocks();
    env.redis.disconnect();
  });

  async function setup() {
    env = setupWaitService();
    const lines = new LineStore(env.redis, env.keys, createSecretBox(Buffer.alloc(32, 5)));
    await lines.add(line);
    const run = createInboundProcessor({
      lines,
      messages: env.messages,
      ordinary: { append: async () => undefined },
      events: new HookEmitter(env.redis, env.keys),
      clock: env.clock,
      log: createLogger('silent'),
      metrics: createMetrics(),
      waits: { onNumberChanged: async () => 0 },
      takeReply: (l, message, options) => env.service.takeReply(l, message, options),
    });
    return run;
  }
  /** The bodies of the portal's `wait.ended` events. */
  async function waitEndedBodies(): Promise<string[]> {
    const entries = await env.redis.xrange(env.keys.hookEvents(M), '-', '+');
    return entries.flatMap(([, fields]) => {
      const f = new Map<string, string>();
      for (let i = 0; i + 1 < fields.length; i += 2) f.set(fields[i] ?? '', fields[i + 1] ?? '');
      return f.get('type') === 'wait.ended' ? [f.get('body') ?? ''] : [];
    });
  }

  it('a subscribed portal: the reply ends its wait in one script run, the event built; a later cancel too', async () => {
    const run = await setup();
    await env.redis.hset(env.keys.hookSubscriptions(M), 'h1', '{}');
    const [answered, cancelled] = [await env.open(), await env.open()];
    const ends = jest.spyOn(waitScripts, 'endWait');
    const event = tap(answered.wait.buttons[0]?.id ?? '', 'Yes');
    expect(await run(job({ phoneNumberId: line.phoneNumberId, kind: 'message', event, receivedAt: 5 }))).toBe(
      'taken_by_wait',
    );
    expect(ends).toHaveBeenCalledTimes(1);
    expect(await env.service.cancel(M, cancelled.wait.id)).toBe(true);
    expect(ends).toHaveBeenCalledTimes(2);
    const bodies = await waitEndedBodies();
    expect(bodies).toHaveLength(2);
    for (const body of bodies) expect(body).not.toBe('');
  });

  it('a portal without subscriptions: one run, no event', async () => {
    const run = await setup();
    const { wait } = await env.open();
    const ends = jest.spyOn(waitScripts, 'endWait');
    const event = tap(wait.buttons[0]?.id ?? '', 'Yes');
    expect(await run(job({ phoneNumberId: line.phoneNumberId, kind: 'message', event, receivedAt: 5 }))).toBe(
      'taken_by_wait',
    );
    expect(ends).toHaveBeenCalledTimes(1);
    expect(await waitEndedBodies()).toEqual([]);
  });
});
