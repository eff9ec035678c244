import type { Job } from 'bullmq';
import { inboundJobSchema, type InboundJob } from '../queues/job-schemas';
import type { Runtime } from '../runtime/create-runtime';
import type { Line } from '../store/line-store';
import { deliveryStatusSchema } from '../store/message-store';
import { appendOrdinaryMessage } from '../store/inbound-stream';
import { inboundMessageSchema, inboundStatusSchema, replyText, timestampMs, type InboundMessage, type InboundStatus } from './inbound-message';

export interface InboundHooks {
  /** Offers a customer message to the waits; true when a wait took it. */
  takeReply?: (line: Line, message: InboundMessage, contactName: string | undefined) => Promise<boolean>;
  /** Lets delivery waits see a status. */
  onStatus?: (line: Line, status: InboundStatus) => Promise<void>;
}

/** Handles one webhook event: statuses update the message; messages go to a wait or on as ordinary messages. */
export function createInboundProcessor(rt: Runtime, hooks: InboundHooks = {}) {
  return async function processInbound(job: Job<InboundJob>): Promise<string> {
    const data = inboundJobSchema.parse(job.data);
    const line = await rt.lines.findByPhoneNumberId(data.phoneNumberId);
    if (!line) {
      rt.log.warn({ phoneNumberId: data.phoneNumberId }, 'webhook for a number that no portal has connected');
      return 'unknown_line';
    }
    if (data.kind === 'status') {
      const status = inboundStatusSchema.parse(data.event);
      const known = deliveryStatusSchema.safeParse(status.status);
      if (!known.success) {
        rt.log.info({ status: status.status, id: status.id }, 'status kept in the log only');
        return 'status_unknown';
      }
      const errorCode = status.errors?.[0]?.code;
      await rt.messages.applyStatus(line.memberId, status.id, known.data, timestampMs(status.timestamp, rt.clock.now()), errorCode === undefined ? undefined : String(errorCode));
      await hooks.onStatus?.(line, status);
      return `status_${known.data}`;
    }
    const message = inboundMessageSchema.parse(data.event);
    try {
      if (await hooks.takeReply?.(line, message, data.contactName)) return 'taken_by_wait';
    } catch (error) {
      // Retried while attempts remain; on the last one the message still goes on, never lost.
      if (job.attemptsMade + 1 < (job.opts.attempts ?? 1)) throw error;
      rt.log.error({ err: error instanceof Error ? error.message : String(error), messageId: message.id }, 'could not offer the reply to the waits; passed on as an ordinary message');
    }
    // Ordinary inbound message: the open-line sync reads this stream; nothing is dropped.
    await appendOrdinaryMessage(rt.redis, rt.keys, line.memberId, {
      line: line.id, from: message.from ?? message.from_user_id ?? '', name: data.contactName ?? '', id: message.id,
      type: message.type, text: replyText(message), raw: JSON.stringify(message),
    });
    return 'ordinary';
  };
}
