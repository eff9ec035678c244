import { z } from 'zod';

/** The outbound event types, the one list of them (CLI filter, payloads, README). */
export const eventTypeSchema = z.enum(['message.received', 'message.status', 'wait.ended']);
export type EventType = z.infer<typeof eventTypeSchema>;
export const EVENT_TYPES: readonly EventType[] = eventTypeSchema.options;

/** `message.received`: a customer wrote on the line (whether or not the message ended a wait). */
export const messageReceivedDataSchema = z.object({
  message_id: z.string().describe('the WhatsApp message id (wamid… or the Green-API id)'),
  from: z.string().describe("the customer's phone or WhatsApp id"),
  contact_name: z.string().describe("the customer's WhatsApp profile name ('' when not sent)"),
  type: z.string().describe('text, interactive, button, image, system…'),
  text: z.string().describe("the text, a tapped button's or list row's title ('' for media)"),
  reply_to: z.string().describe("the id of the message it quotes ('' = none)"),
});

/** `message.status`: what became of a message the app sent, from the provider's webhook. */
export const messageStatusDataSchema = z.object({
  message_id: z.string().describe('the WhatsApp id of our message'),
  status: z.enum(['sent', 'delivered', 'read', 'failed']),
  recipient: z.string().describe("the customer's phone or WhatsApp id ('' when not sent)"),
  error_code: z.string().describe("the provider's error code when failed ('' otherwise)"),
  error_title: z.string().describe("the provider's error text when failed ('' otherwise)"),
});

/** `wait.ended`: a reply or delivery wait ended (exactly once), with what the robot gets back. */
export const waitEndedDataSchema = z.object({
  wait_id: z.string(),
  status: z.enum(['answered', 'timeout', 'cancelled', 'delivered', 'read', 'failed']),
  reason: z.string().describe('reply, timeout, status, stage_changed, operator_replied, a cancel note, an error code…'),
  purpose: z.enum(['reply', 'delivery']),
  phone: z.string(),
  document_id: z.string().describe("the CRM document, e.g. DEAL_42 ('' = none)"),
  message_id: z.string().describe("our message the wait is about ('' before it left)"),
  return_values: z
    .record(z.string(), z.string())
    .describe("the robot's return values (status, answer, answer_index, reply_text…); {} when it is gone"),
});

const envelope = <T extends EventType, D extends z.ZodType>(type: T, data: D) =>
  z.object({
    id: z.string().describe('the event id, also in X-Event-Id: the same for every retry (deduplicate on it)'),
    type: z.literal(type),
    portal: z.string().describe("the portal's member_id"),
    line: z.string().describe("the line's id"),
    occurred_at: z.iso.datetime().describe('when it happened (ISO 8601, UTC)'),
    data,
  });

/** Each event type's whole POST body; the OpenAPI document lists these. */
export const eventPayloadSchemas = {
  'message.received': envelope('message.received', messageReceivedDataSchema),
  'message.status': envelope('message.status', messageStatusDataSchema),
  'wait.ended': envelope('wait.ended', waitEndedDataSchema),
} as const satisfies Record<EventType, z.ZodType>;

/** Any outbound event body. */
export const eventPayloadSchema = z.discriminatedUnion('type', [
  eventPayloadSchemas['message.received'],
  eventPayloadSchemas['message.status'],
  eventPayloadSchemas['wait.ended'],
]);
export type EventPayload = z.infer<typeof eventPayloadSchema>;
export type EventData<T extends EventType> = z.infer<(typeof eventPayloadSchemas)[T]>['data'];

/** An event ready to emit: its id (derived from its source), type, the exact body to POST. */
export interface OutboundEvent {
  id: string;
  type: EventType;
  memberId: string;
  body: string;
}

/** Builds (and validates) an event: the body is fixed here, so every retry and signature is over the same bytes. */
export function buildEvent<T extends EventType>(
  type: T,
  source: { id: string; memberId: string; line: string; occurredAt: number },
  data: EventData<T>,
): OutboundEvent {
  const payload = eventPayloadSchemas[type].parse({
    id: source.id,
    type,
    portal: source.memberId,
    line: source.line,
    occurred_at: new Date(source.occurredAt).toISOString(),
    data,
  });
  return { id: source.id, type, memberId: source.memberId, body: JSON.stringify(payload) };
}

/** Event ids derive from their source, so a repeated job or webhook emits the same event once. */
export const eventIds = {
  messageReceived: (lineId: string, messageId: string) => `msg.${lineId}.${messageId}`,
  messageStatus: (lineId: string, messageId: string, status: string) => `st.${lineId}.${messageId}.${status}`,
  waitEnded: (waitId: string) => `wait.${waitId}`,
};
