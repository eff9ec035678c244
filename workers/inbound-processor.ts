import type { Job } from 'bullmq';
import type { Clock } from '../lib/clock';
import type { Logger } from '../lib/logger';
import {
  type InboundMessage,
  type InboundStatus,
  inboundMessageSchema,
  inboundStatusSchema,
  replyText,
  timestampMs,
} from '../providers/inbound-message';
import { isLastAttempt } from '../queues/job-retry';
import { type InboundJob, inboundJobSchema } from '../queues/job-schemas';
import type { OrdinaryMessages } from '../store/inbound-stream';
import type { Line, LineStore } from '../store/line-store';
import { deliveryStatusSchema, type MessageStore } from '../store/message-store';

export interface InboundDeps {
  lines: Pick<LineStore, 'findByPhoneNumberId'>;
  messages: Pick<MessageStore, 'applyStatus'>;
  ordinary: Pick<OrdinaryMessages, 'append'>;
  clock: Clock;
  log: Logger;
  /** Offers a customer message to the waits; true when a wait took it. */
  takeReply?: (line: Line, message: InboundMessage) => Promise<boolean>;
  /** Lets delivery waits see a status. */
  onStatus?: (line: Line, status: InboundStatus) => Promise<void>;
}

/** Handles one webhook event: statuses update the message; messages go to a wait or on as ordinary messages. */
export function createInboundProcessor(deps: InboundDeps) {
  return async function processInbound(job: Job<InboundJob>): Promise<string> {
    const data = inboundJobSchema.parse(job.data);
    const line = await deps.lines.findByPhoneNumberId(data.phoneNumberId);
    if (!line) {
      deps.log.warn({ phoneNumberId: data.phoneNumberId }, 'webhook for a number that no portal has connected');
      return 'unknown_line';
    }
    if (data.kind === 'status') {
      const status = inboundStatusSchema.parse(data.event);
      const known = deliveryStatusSchema.safeParse(status.status);
      if (!known.success) {
        deps.log.info({ status: status.status, id: status.id }, 'status kept in the log only');
        return 'status_unknown';
      }
      const errorCode = status.errors?.[0]?.code;
      const at = timestampMs(status.timestamp, deps.clock.now());
      await deps.messages.applyStatus(
        line.memberId,
        status.id,
        known.data,
        at,
        errorCode === undefined ? undefined : String(errorCode),
      );
      await deps.onStatus?.(line, status);
      return `status_${known.data}`;
    }
    const message = inboundMessageSchema.parse(data.event);
    try {
      if (await deps.takeReply?.(line, message)) return 'taken_by_wait';
    } catch (error) {
      // Retried while attempts remain; on the last one the message still goes on, never lost.
      if (!isLastAttempt(job)) throw error;
      deps.log.error(
        { err: error, messageId: message.id },
        'could not offer the reply to the waits; passed on as an ordinary message',
      );
    }
    // Ordinary inbound message: the open-line sync reads this stream; nothing is dropped.
    await deps.ordinary.append(line.memberId, {
      line: line.id,
      from: message.from ?? message.from_user_id ?? '',
      name: data.contactName ?? '',
      id: message.id,
      type: message.type,
      text: replyText(message),
      raw: JSON.stringify(message),
    });
    return 'ordinary';
  };
}
