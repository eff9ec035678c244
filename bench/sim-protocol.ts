import { z } from 'zod';

/**
 * The bench's simulator process (bench/sim-process.ts) and its client talk over Node's IPC channel:
 * a request names a command, the answer carries the same id. Both sides validate what they read.
 */
const restLimit = z.object({ drainPerSec: z.number().positive(), burst: z.number().int().positive() });
const line = z.object({ phoneNumberId: z.string(), accessToken: z.string(), displayPhoneNumber: z.string() });
const properties = z.record(z.string(), z.union([z.string(), z.array(z.string())]));

export const simCommandSchema = z.discriminatedUnion('cmd', [
  z.object({
    cmd: z.literal('start'),
    clientId: z.string(),
    clientSecret: z.string(),
    appSecret: z.string(),
    restLimit,
    throughputPerSec: z.number().int().positive(),
    lines: z.array(line),
  }),
  z.object({ cmd: z.literal('install'), appUrl: z.string(), registrations: z.number().int() }),
  /** Runs started at the portal (one new deal each, at stage NEW), their handler POSTs returned unsent. */
  z.object({ cmd: z.literal('prepareRuns'), code: z.string(), properties: z.array(properties) }),
  /** Robot calls the portal makes itself (POSTed to the app's door), `concurrency` at a time. */
  z.object({
    cmd: z.literal('runRobots'),
    code: z.string(),
    properties: z.array(properties),
    concurrency: z.number().int().positive(),
  }),
  /** The Cloud API's view of [from, to): accepted sends, and each line's busiest 1 s of requests. */
  z.object({ cmd: z.literal('cloudWindows'), from: z.number(), to: z.number() }),
  z.object({ cmd: z.literal('accepted') }),
  z.object({ cmd: z.literal('portalStats') }),
  /** Builds and signs button-reply webhooks to the app, for the next `deliverReplies` (a load generator's requests, made ahead). */
  z.object({
    cmd: z.literal('prepareReplies'),
    replies: z.array(z.object({ phoneNumberId: z.string(), from: z.string(), id: z.string(), title: z.string() })),
  }),
  /** POSTs the prepared webhooks, `concurrency` at a time. */
  z.object({ cmd: z.literal('deliverReplies'), concurrency: z.number().int().positive() }),
  z.object({ cmd: z.literal('stop') }),
]);
export type SimCommand = z.infer<typeof simCommandSchema>;

export const simRequestSchema = z.object({ id: z.number().int(), command: simCommandSchema });
export const simReplySchema = z.union([
  z.object({ id: z.number().int(), ok: z.literal(true), result: z.unknown() }),
  z.object({ id: z.number().int(), ok: z.literal(false), error: z.string() }),
]);

/** What each command answers. */
export const simResults = {
  start: z.object({ portalUrl: z.string(), graphUrl: z.string() }),
  install: z.object({ memberId: z.string() }),
  prepareRuns: z.object({ runs: z.array(z.record(z.string(), z.unknown())) }),
  runRobots: z.object({ statuses: z.record(z.string(), z.number()) }),
  cloudWindows: z.object({
    accepted: z.number(),
    throttled: z.number(),
    lines: z.array(z.object({ phoneNumberId: z.string(), requests: z.number(), maxWindow: z.number() })),
  }),
  accepted: z.object({ accepted: z.number(), throttled: z.number(), rejected: z.number() }),
  portalStats: z.object({
    restRequests: z.number(),
    batchCalls: z.number(),
    queryLimitExceeded: z.number(),
    eventSendsAccepted: z.number(),
    eventSendsOther: z.number(),
    firstEventSendAt: z.number().nullable(),
    lastEventSendAt: z.number().nullable(),
    /** Wall-clock ms (Date.now() of the simulator, the same host) the portal accepted its latest robot result. */
    lastAcceptedAt: z.number().nullable(),
  }),
  prepareReplies: z.object({ prepared: z.number() }),
  deliverReplies: z.object({ statuses: z.record(z.string(), z.number()) }),
  stop: z.object({}),
} satisfies Record<SimCommand['cmd'], z.ZodType>;

export type SimResult<C extends SimCommand['cmd']> = z.infer<(typeof simResults)[C]>;
