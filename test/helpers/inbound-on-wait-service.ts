import type { Job } from 'bullmq';
import { createLogger } from '../../lib/logger';
import { createMetrics } from '../../lib/metrics';
import { createSecretBox } from '../../lib/secret-box';
import { createOpenLineRelay } from '../../openlines/open-line-relay';
import type { InboundMessage } from '../../providers/inbound-message';
import type { InboundJob } from '../../queues/job-schemas';
import { ConfigCache } from '../../store/config-cache';
import { CustomerWindowStore } from '../../store/customer-window-store';
import { InboundFirstReads } from '../../store/inbound-first-read';
import { OrdinaryMessages } from '../../store/inbound-stream';
import { LineStore } from '../../store/line-store';
import { chatItemSchema, OpenLineOutbox } from '../../store/open-line-outbox';
import { type Attachment, OpenLineStore } from '../../store/open-line-store';
import { createInboundProcessor, type InboundDeps } from '../../workers/inbound-processor';
import { line, M, type WaitServiceEnv } from './wait-service-env';

/** How often the job ran before (BullMQ's counts); a first run unless said. */
export type JobRun = Partial<Pick<Job, 'attemptsMade' | 'attemptsStarted'>>;

/**
 * The env's line, stored: the inbound processor finds it by its phone number id. Its remembered
 * routes and copies age on the env's clock (a test moves it past their 5 s by hand).
 */
export async function storedLine(env: WaitServiceEnv): Promise<LineStore> {
  const cache = new ConfigCache(env.redis, env.keys, { clock: env.clock });
  const lines = new LineStore(env.redis, env.keys, createSecretBox(Buffer.alloc(32, 5)), cache);
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
): (event: InboundMessage, run?: JobRun, chatSeq?: number) => Promise<string> {
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
  // `chatSeq`: the number the webhook door gave the message (it found the line attached and switched on).
  return (event, run = {}, chatSeq) => {
    const data: InboundJob = { phoneNumberId: line.phoneNumberId, kind: 'message', event, receivedAt: 5, chatSeq };
    // cast: the processor reads data, attemptsMade, attemptsStarted and opts.attempts only
    return process({ data, attemptsMade: 0, opts: { attempts: 8 }, ...run } as Job<InboundJob>);
  };
}

/**
 * The env's line stored and attached as `attachment` (null: to no open line), with the inbound
 * processor passing messages on through the open-line relay (ordinary and taken ones). `firstRead`:
 * the processor reads the version, attachment, subscriptions and tapped wait and notes the customer's
 * window (`windows`, only then) in one script under a remembered route. `deps`: more of the
 * processor's (its events, providers).
 */
export async function relayingInbound(
  env: WaitServiceEnv,
  attachment: Attachment | null,
  options: { firstRead?: boolean; deps?: Partial<InboundDeps> } = {},
) {
  const lines = await storedLine(env);
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
  const firstReads = new InboundFirstReads(env.redis, env.keys);
  const windows = new CustomerWindowStore(env.redis, env.keys);
  const deliver = inboundOn(env, lines, {
    ordinary: relay,
    openLineRelay: relay,
    ...(options.firstRead ? { firstReads, windows } : {}),
    ...options.deps,
  });
  return { deliver, openLines, lines, firstReads, windows };
}

/** What is queued in every open-line chat of the portal: a customer item's open line, else the item's kind. */
export async function queuedOpenLines(env: WaitServiceEnv): Promise<string[]> {
  const chats = await env.redis.keys(env.keys.openLineQueue(M, '*'));
  const members = (await Promise.all(chats.map((k) => env.redis.zrange(k, 0, -1)))).flat();
  return members.map((raw) => {
    const item = chatItemSchema.parse(JSON.parse(raw));
    return item.kind === 'customer' ? item.openLineId : item.kind;
  });
}
