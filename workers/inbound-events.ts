import { buildEvent, eventIds } from '../hooks/event-schemas';
import type { HookEmitter } from '../hooks/hook-emitter';
import type { Clock } from '../lib/clock';
import { type InboundMessage, type InboundStatus, replyText, timestampMs } from '../providers/inbound-message';
import type { InboundJob } from '../queues/job-schemas';
import type { Line } from '../store/line-store';
import type { DeliveryStatus } from '../store/message-store';

/** What the inbound job's outbound events (`message.received`, `message.status`) need. */
export interface InboundEventDeps {
  /** An O(1) append, once per event id; none: no events. */
  events?: Pick<HookEmitter, 'emit' | 'subscribed'>;
  clock: Clock;
}

/** `message.status` for a status of a message the line sent (`known`: the status as the store names it). */
export async function emitStatus(
  deps: InboundEventDeps,
  line: Line,
  status: InboundStatus,
  known: DeliveryStatus,
  at: number,
): Promise<void> {
  if (!deps.events) return;
  const error = status.errors?.[0];
  const source = { id: eventIds.messageStatus(line.id, status.id, known), memberId: line.memberId, line: line.id };
  const event = buildEvent(
    'message.status',
    { ...source, occurredAt: at },
    {
      message_id: status.id,
      status: known,
      recipient: status.recipient_id ?? '',
      error_code: error ? String(error.code) : '',
      error_title: error ? (error.title ?? error.message ?? '') : '',
    },
  );
  await deps.events.emit(event, deps.clock.now());
}

/** `message.received` for a customer's message (`job`: its webhook's receipt time and contact name). */
export async function emitReceived(
  deps: InboundEventDeps,
  line: Line,
  message: InboundMessage,
  job: Pick<InboundJob, 'receivedAt' | 'contactName'>,
): Promise<void> {
  if (!deps.events) return;
  const id = eventIds.messageReceived(line.id, message.id);
  const occurredAt = timestampMs(message.timestamp, job.receivedAt);
  const event = buildEvent(
    'message.received',
    { id, memberId: line.memberId, line: line.id, occurredAt },
    {
      message_id: message.id,
      from: message.from ?? message.from_user_id ?? '',
      contact_name: job.contactName ?? '',
      type: message.type,
      text: replyText(message),
      reply_to: message.context?.id ?? '',
    },
  );
  await deps.events.emit(event, deps.clock.now());
}

/**
 * Whether the line's portal has outbound-event subscriptions (their events are built only then).
 * `counted`: the count the job's first read found (then not read again).
 */
export function subscribed(deps: InboundEventDeps, line: Line, counted?: number): Promise<boolean> {
  const asked = deps.events ? deps.events.subscribed(line.memberId, deps.clock.now(), counted) : Promise.resolve(false);
  // Awaited later with the other first writes; a failure in between must not go unhandled.
  asked.catch(() => undefined);
  return asked;
}
