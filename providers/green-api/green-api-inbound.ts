import { z } from 'zod';
import type { InboundEvent } from '../inbound-message';

// Green-API notification formats: green-api.com/docs/api/receiving/notifications-format/.
export const greenApiWebhookSchema = z
  .object({
    typeWebhook: z.string(),
    instanceData: z.object({ idInstance: z.union([z.number(), z.string()]) }).loose(),
    timestamp: z.number().optional(),
    idMessage: z.string().optional(),
    senderData: z.object({ chatId: z.string(), senderName: z.string().optional() }).loose().optional(),
    messageData: z
      .object({
        typeMessage: z.string(),
        textMessageData: z.object({ textMessage: z.string() }).loose().optional(),
        extendedTextMessageData: z.object({ text: z.string().optional() }).loose().optional(),
        quotedMessage: z.object({ stanzaId: z.string().optional() }).loose().optional(),
      })
      .loose()
      .optional(),
    chatId: z.string().optional(),
    status: z.string().optional(),
    description: z.string().optional(),
  })
  .loose();
export type GreenApiWebhook = z.infer<typeof greenApiWebhookSchema>;

const PERSONAL_CHAT = /^(\d+)@c\.us$/;

/** Green-API statuses → ours; `noAccount` (no WhatsApp on the number) is a failure. */
const statusMap: Record<string, string> = {
  sent: 'sent',
  delivered: 'delivered',
  read: 'read',
  failed: 'failed',
  noAccount: 'failed',
};

/**
 * A Green-API notification → the event the Cloud API would have sent (its message shape), so
 * waits and ordinary messages work unchanged. Null for what we do not handle (group chats,
 * instance state, our own outgoing messages).
 */
export function greenApiInboundEvent(hook: GreenApiWebhook, nowMs: number): InboundEvent | null {
  const phoneNumberId = String(hook.instanceData.idInstance);
  const timestamp = String(hook.timestamp ?? Math.floor(nowMs / 1000));
  if (hook.typeWebhook === 'incomingMessageReceived' && hook.idMessage && hook.senderData && hook.messageData) {
    const from = PERSONAL_CHAT.exec(hook.senderData.chatId)?.[1];
    if (!from) return null;
    const data = hook.messageData;
    const text = data.textMessageData?.textMessage ?? data.extendedTextMessageData?.text;
    const quoted = data.quotedMessage?.stanzaId;
    const event: Record<string, unknown> =
      text === undefined
        ? { id: hook.idMessage, from, timestamp, type: data.typeMessage, green_api: data }
        : {
            id: hook.idMessage,
            from,
            timestamp,
            type: 'text',
            text: { body: text },
            ...(quoted ? { context: { id: quoted } } : {}),
          };
    const key = `ga:${phoneNumberId}:msg:${hook.idMessage}`;
    return { key, phoneNumberId, kind: 'message', contactName: hook.senderData.senderName, event };
  }
  if (hook.typeWebhook === 'outgoingMessageStatus' && hook.idMessage && hook.status) {
    const status = statusMap[hook.status] ?? hook.status;
    const recipient = PERSONAL_CHAT.exec(hook.chatId ?? '')?.[1];
    const event: Record<string, unknown> = {
      id: hook.idMessage,
      status,
      timestamp,
      ...(recipient ? { recipient_id: recipient } : {}),
      ...(hook.description ? { description: hook.description } : {}),
    };
    return { key: `ga:${phoneNumberId}:st:${hook.idMessage}:${status}`, phoneNumberId, kind: 'status', event };
  }
  return null;
}
