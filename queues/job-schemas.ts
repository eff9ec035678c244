import { z } from 'zod';

/** Queue names (kebab nouns). */
export const queueNames = {
  runAction: 'run-action',
  portalSetup: 'portal-setup',
  inbound: 'inbound-webhook',
  bitrixEvent: 'bitrix-event',
  /** One delayed job per wait, as releases before the deadline sets queued them: still processed (rolling deploy). */
  waitTimeout: 'wait-timeout',
  /** The time-out drain: one repeatable job about every second ends the waits whose deadline passed. */
  waitDeadlines: 'wait-deadlines',
  /** Cluster-wide sweeps on a schedule: one run per period, whatever the number of processes. */
  maintenance: 'maintenance',
  /** An operator's message in an open-line chat, on its way to WhatsApp. */
  openLineOperator: 'open-line-operator',
} as const;

const rawValue = z.union([z.string(), z.array(z.string())]);

/** A robot/activity call, as accepted at the door (jobs queued before `source` existed are these). */
export const robotCallJobSchema = z.object({
  source: z.literal('bitrix').default('bitrix'),
  memberId: z.string(),
  code: z.string(),
  kind: z.enum(['robot', 'activity']),
  eventToken: z.string(),
  workflowId: z.string(),
  documentId: z.array(z.string()),
  documentType: z.array(z.string()),
  properties: z.record(z.string(), rawValue),
  useSubscription: z.boolean(),
  /** timeout_duration of the run (s); 0 = the portal sets none. */
  timeoutDurationSec: z.number().default(0),
  receivedAt: z.number(),
});
export type RobotCallJob = z.infer<typeof robotCallJobSchema>;
export type RunActionJobInput = z.input<typeof robotCallJobSchema>;

/**
 * A send asked for by an outside system through the webhook API: the same action, queue, line
 * limit and provider code as a robot's, but its result is stored for the caller (`wait=Y`,
 * checkMessageStatus) instead of going back to Bitrix24 with `bizproc.event.send`.
 */
export const apiCallJobSchema = z.object({
  source: z.literal('api'),
  memberId: z.string(),
  /** The action's robot code (`wa_send_text`…): the same catalogue entry a robot runs. */
  code: z.string(),
  lineId: z.string(),
  /** The message id the API answered with; also names the job and its send steps. */
  messageId: z.string(),
  properties: z.record(z.string(), rawValue),
  receivedAt: z.number(),
});
export type ApiCallJob = z.infer<typeof apiCallJobSchema>;

/** What a run-action job carries: one discriminated source, so each kind of caller gets its answer its own way. */
export const runActionJobSchema = z.discriminatedUnion('source', [robotCallJobSchema, apiCallJobSchema]);
export type RunActionJob = z.infer<typeof runActionJobSchema>;

/** Register a portal's robots, activities and events: on install, app update, and after its lines changed. */
export const portalSetupJobSchema = z.object({ memberId: z.string(), reason: z.enum(['install', 'update', 'lines']) });
export type PortalSetupJob = z.infer<typeof portalSetupJobSchema>;

/** The portal-setup queue's job name of a SwitchOffCheckJob (its other jobs are named `setup`). */
export const SWITCH_OFF_CHECK = 'switch-off-check';

/**
 * After ONIMCONNECTORSTATUSDELETE: ask the portal whether the connector is on or off on that open
 * line (the event may be the late one of the app's own earlier switch-off) and write the answer.
 * Runs on the portal-setup queue, whose worker holds a portal client (the event door calls no portal).
 */
export const switchOffCheckJobSchema = z.object({
  memberId: z.string(),
  openLineId: z.string(),
  /** The attachment the event found: its answer is written only while it is still this one. */
  lineId: z.string(),
  attachedAt: z.number(),
  /**
   * The attachment's `checkSeq` the event set: only the newest check writes. 0: a job queued by the
   * release before checks were numbered (the attachment has no checkSeq then either).
   */
  seq: z.number().int().nonnegative().default(0),
});
export type SwitchOffCheckJob = z.infer<typeof switchOffCheckJobSchema>;

/** One inbound message or status from a WhatsApp webhook, with its routing. */
export const inboundJobSchema = z.object({
  phoneNumberId: z.string(),
  displayPhoneNumber: z.string().optional(),
  /** `error`: an error WhatsApp reported outside any message or status (logged and counted). */
  /**
   * `template`: a template webhook (`event.waba_id` names the account): its lines read their templates again;
   * `account`: phone_number_quality_update / account_update (line health), not tied to a known number id.
   */
  kind: z.enum(['message', 'status', 'error', 'template', 'account']),
  contactName: z.string().optional(),
  /**
   * The provider's event, as the door read it (an object; its fields are the worker's to parse).
   * A loose object, not z.record: the record parse rebuilds the object key by key (≈ 8 µs per job).
   */
  event: z.looseObject({}),
  receivedAt: z.number(),
  /** A customer message on a line attached to an open line: its number in its chat, given at receipt. */
  chatSeq: z.number().int().positive().optional(),
  /**
   * The provider's id of the event (its message or status id…), whose seen marker the worker writes
   * too (enqueue-inbound-once.ts). Absent on jobs queued by an older release.
   */
  eventKey: z.string().optional(),
});
export type InboundJob = z.infer<typeof inboundJobSchema>;

/** Most events one inbound job carries (the doors' batches close at this many). */
export const INBOUND_BATCH_MAX = 50;

/**
 * The inbound events the doors queued in one turn of the event loop, as one job (queues/inbound-batcher.ts).
 * Each event is parsed by its own run (inboundJobSchema): one malformed event fails alone.
 */
export const inboundBatchSchema = z.object({
  kind: z.literal('batch'),
  events: z.array(z.unknown()).min(1).max(INBOUND_BATCH_MAX),
});
export type InboundBatch = z.infer<typeof inboundBatchSchema>;

/** A CRM change event (stage moves) from the portal. */
export const bitrixEventJobSchema = z.object({
  memberId: z.string(),
  event: z.string(),
  entityId: z.string(),
  entityTypeId: z.string().optional(),
  receivedAt: z.number(),
});
export type BitrixEventJob = z.infer<typeof bitrixEventJobSchema>;

export const waitTimeoutJobSchema = z.object({ memberId: z.string(), waitId: z.string() });
export type WaitTimeoutJob = z.infer<typeof waitTimeoutJobSchema>;

export const waitDeadlinesJobSchema = z.object({ task: z.literal('drain') });
export type WaitDeadlinesJob = z.infer<typeof waitDeadlinesJobSchema>;

export const maintenanceJobSchema = z.object({ task: z.literal('sweep') });
export type MaintenanceJob = z.infer<typeof maintenanceJobSchema>;

/** An operator's message from ONIMCONNECTORMESSAGEADD (openlines-wire.md §5.1): one per portal message id. */
export const openLineOperatorJobSchema = z.object({
  memberId: z.string(),
  openLineId: z.string(),
  /** The app's chat id (`<wa_id>-<line>`): names the customer. */
  chatId: z.string(),
  portalChatId: z.string(),
  portalMessageId: z.string(),
  operatorId: z.string().default(''),
  text: z.string().default(''),
  files: z.array(z.object({ name: z.string(), link: z.string(), type: z.string().optional() })).default([]),
  receivedAt: z.number(),
  /** Its number among the chat's operator messages, given at the event door: they reach WhatsApp in this order. */
  chatSeq: z.number().int().positive().optional(),
});
export type OpenLineOperatorJob = z.infer<typeof openLineOperatorJobSchema>;
