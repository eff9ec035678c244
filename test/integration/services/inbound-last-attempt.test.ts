import type { Job } from 'bullmq';
import { createLogger } from '../../../lib/logger';
import { createMetrics } from '../../../lib/metrics';
import { createSecretBox } from '../../../lib/secret-box';
import type { InboundJob } from '../../../queues/job-schemas';
import { LineStore } from '../../../store/line-store';
import { createInboundProcessor } from '../../../workers/inbound-processor';
import { line, setupWaitService, tap, type WaitServiceEnv } from '../../helpers/wait-service-env';

/** A job on its last attempt (8 of 8). */
function lastAttempt(data: InboundJob): Job<InboundJob> {
  // cast: the processor reads data, attemptsMade and opts.attempts only.
  return { data, attemptsMade: 7, opts: { attempts: 8 } } as unknown as Job<InboundJob>;
}

// On its last attempt a reply the waits could not take still goes on as an ordinary message, and the
// log says so; when the message's own first writes failed, nothing goes on, and the log must not say it did.
describe('an inbound reply on its last attempt (real Redis)', () => {
  let env: WaitServiceEnv;
  afterEach(() => env.redis.disconnect());
  const box = createSecretBox(Buffer.alloc(32, 5));

  async function setup(o: { emitFails: boolean }) {
    env = setupWaitService();
    const lines = new LineStore(env.redis, env.keys, box);
    await lines.add(line);
    const logged: string[] = [];
    const log = createLogger('error', {
      write(entry: string) {
        logged.push(String(JSON.parse(entry).msg));
      },
    });
    const appended: string[] = [];
    const run = createInboundProcessor({
      lines,
      messages: env.messages,
      ordinary: {
        append: async (_memberId, message) => {
          appended.push(message.id);
        },
      },
      clock: env.clock,
      log,
      metrics: createMetrics(),
      waits: { onNumberChanged: async () => 0 },
      takeReply: (l, message, options) => env.service.takeReply(l, message, options),
      events: {
        subscribed: async () => true,
        emit: async () => {
          if (o.emitFails) throw new Error('emit failed');
          return true;
        },
      },
    });
    const { wait } = await env.open();
    const event = { ...tap(wait.buttons[0]?.id ?? '', 'Yes'), id: 'wamid.last' };
    const job: InboundJob = { phoneNumberId: line.phoneNumberId, kind: 'message', event, receivedAt: 5 };
    return { run: () => run(lastAttempt(job)), logged, appended, wait };
  }

  it('its first writes fail: the job fails, and nothing is logged as passed on', async () => {
    const s = await setup({ emitFails: true });
    await expect(s.run()).rejects.toThrow(/emit failed/);
    expect({ logged: s.logged, appended: s.appended, wait: await env.status(s.wait.id) }).toEqual({
      logged: [],
      appended: [],
      wait: 'open',
    });
  });

  it('the waits fail it (the stage read): it goes on as an ordinary message, as logged', async () => {
    const s = await setup({ emitFails: false });
    env.stages.read.mockRejectedValueOnce(new Error('portal unreachable'));
    expect(await s.run()).toBe('ordinary');
    expect(s.logged).toEqual(['could not offer the reply to the waits; passed on as an ordinary message']);
    expect(s.appended).toEqual(['wamid.last']);
  });
});
