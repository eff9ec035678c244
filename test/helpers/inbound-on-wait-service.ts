import type { Job } from 'bullmq';
import { createLogger } from '../../lib/logger';
import { createMetrics } from '../../lib/metrics';
import { createSecretBox } from '../../lib/secret-box';
import type { InboundMessage } from '../../providers/inbound-message';
import type { InboundJob } from '../../queues/job-schemas';
import { LineStore } from '../../store/line-store';
import { createInboundProcessor, type InboundDeps } from '../../workers/inbound-processor';
import { line, type WaitServiceEnv } from './wait-service-env';

/** How often the job ran before (BullMQ's counts); a first run unless said. */
export type JobRun = Partial<Pick<Job, 'attemptsMade' | 'attemptsStarted'>>;

/** The env's line, stored: the inbound processor finds it by its phone number id. */
export async function storedLine(env: WaitServiceEnv): Promise<LineStore> {
  const lines = new LineStore(env.redis, env.keys, createSecretBox(Buffer.alloc(32, 5)));
  await lines.add(line);
  return lines;
}

/**
 * The inbound processor on a wait-service env (replies offered to its waits), with the sinks a test
 * watches in `deps`; returns a delivery of one message of the env's line as an inbound job.
 */
export function inboundOn(
  env: WaitServiceEnv,
  lines: LineStore,
  deps: Pick<InboundDeps, 'ordinary'> & Partial<InboundDeps>,
): (event: InboundMessage, run?: JobRun) => Promise<string> {
  const process = createInboundProcessor({
    lines,
    messages: env.messages,
    clock: env.clock,
    log: createLogger('silent'),
    metrics: createMetrics(),
    waits: { onNumberChanged: async () => 0 },
    takeReply: (l, message, options) => env.service.takeReply(l, message, options),
    ...deps,
  });
  return (event, run = {}) => {
    const data: InboundJob = { phoneNumberId: line.phoneNumberId, kind: 'message', event, receivedAt: 5 };
    // cast: the processor reads data, attemptsMade, attemptsStarted and opts.attempts only
    return process({ data, attemptsMade: 0, opts: { attempts: 8 }, ...run } as Job<InboundJob>);
  };
}
