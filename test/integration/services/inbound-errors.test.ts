import { Writable } from 'node:stream';
import type { Job } from 'bullmq';
import { Redis } from 'ioredis';
import pino from 'pino';
import { randomId } from '../../../lib/hash';
import { createMetrics } from '../../../lib/metrics';
import { createSecretBox } from '../../../lib/secret-box';
import type { InboundJob } from '../../../queues/job-schemas';
import { createKeys } from '../../../redis/keys';
import { OrdinaryMessages } from '../../../store/inbound-stream';
import { LineStore } from '../../../store/line-store';
import { MessageStore } from '../../../store/message-store';
import { createInboundProcessor } from '../../../workers/inbound-processor';
import { counterValue } from '../../helpers/signals';

/** The parts of a BullMQ job the processor reads (no queue behind it). */
function jobOf(data: InboundJob): Job<InboundJob> {
  // cast: the processor reads data, attemptsMade and opts.attempts only.
  return { data, attemptsMade: 0, opts: { attempts: 8 } } as unknown as Job<InboundJob>;
}

// Errors WhatsApp reports at value level (not tied to a message) are logged with code and title and counted.
describe('inbound processor: value-level webhook errors (real Redis)', () => {
  const redis = new Redis(process.env.TEST_REDIS_URL ?? '');
  afterAll(() => redis.disconnect());

  it('logs each with its code, title and details, and counts it by code', async () => {
    const keys = createKeys(`ie${randomId(4).replace(/[^a-zA-Z0-9]/g, 'x')}`);
    const lines = new LineStore(redis, keys, createSecretBox(Buffer.alloc(32, 3)));
    await lines.add({
      id: 'main',
      memberId: 'm1',
      provider: 'cloud',
      phoneNumberId: '200000000000002',
      accessToken: 't',
      name: 'Main',
      createdAt: 0,
    });
    const written: string[] = [];
    const sink = new Writable({
      write(chunk, _encoding, done) {
        written.push(String(chunk));
        done();
      },
    });
    const metrics = createMetrics();
    const processInbound = createInboundProcessor({
      lines,
      messages: new MessageStore(redis, keys),
      ordinary: new OrdinaryMessages(redis, keys),
      clock: { now: () => 0 },
      log: pino({ level: 'info' }, sink),
      metrics,
      waits: { onNumberChanged: async () => 0 },
    });
    const error = {
      code: 130429,
      title: 'Rate limit hit',
      message: 'Rate limit hit',
      error_data: { details: 'Cloud API message throughput has been reached.' },
    };
    const job = { phoneNumberId: '200000000000002', kind: 'error' as const, event: error, receivedAt: 0 };
    expect(await processInbound(jobOf(job))).toBe('webhook_error:130429');
    expect(await processInbound(jobOf({ ...job, phoneNumberId: '', event: { code: 131000 } }))).toBe(
      'webhook_error:131000',
    );
    expect(await counterValue(metrics.webhookErrors, { code: '130429' })).toBe(1);
    expect(await counterValue(metrics.webhookErrors, { code: '131000' })).toBe(1);
    const logged = written.map((line) => JSON.parse(line) as Record<string, unknown>); // cast: pino writes JSON objects
    expect(logged).toEqual([
      expect.objectContaining({
        level: 40,
        code: '130429',
        title: 'Rate limit hit',
        details: 'Cloud API message throughput has been reached.',
        memberId: 'm1',
        line: 'main',
        msg: 'WhatsApp reported an error in a webhook',
      }),
      expect.objectContaining({ level: 40, code: '131000', phoneNumberId: '' }),
    ]);
    // Nothing else happened: no ordinary message was made of them.
    expect(await redis.exists(keys.inboundStream('m1'))).toBe(0);
  });
});
