import { endpoints } from '../endpoints';
import express, { Router } from 'express';
import { z } from 'zod';
import type { Runtime } from '../../runtime/create-runtime';
import { safeEqual } from '../../lib/hash';
import { HttpError } from '../middleware/http-error';
import type { InboundJob } from '../../queues/job-schemas';
import { enqueueInboundOnce } from '../../queues/enqueue-inbound-once';

/** Path of the Green-API door; each line has its own URL (the instance's webhookUrl). */
export const GREEN_API_WEBHOOK_PATH = endpoints.greenApiWebhook;

/** The webhook URL path of one Green-API line. */
export function greenApiWebhookPath(lineId: string): string {
  return GREEN_API_WEBHOOK_PATH.replace(':lineId', encodeURIComponent(lineId));
}

// Green-API notification formats: green-api.com/docs/api/receiving/notifications-format/.
const webhookSchema = z.object({
  typeWebhook: z.string(),
  instanceData: z.object({ idInstance: z.union([z.number(), z.string()]) }).loose(),
  timestamp: z.number().optional(),
  idMessage: z.string().optional(),
  senderData: z.object({ chatId: z.string(), senderName: z.string().optional() }).loose().optional(),
  messageData: z.object({
    typeMessage: z.string(),
    textMessageData: z.object({ textMessage: z.string() }).loose().optional(),
    extendedTextMessageData: z.object({ text: z.string().optional() }).loose().optional(),
    quotedMessage: z.object({ stanzaId: z.string().optional() }).loose().optional(),
  }).loose().optional(),
  chatId: z.string().optional(),
  status: z.string().optional(),
  description: z.string().optional(),
}).loose();
type GreenApiWebhook = z.infer<typeof webhookSchema>;

const PERSONAL_CHAT = /^(\d+)@c\.us$/;

/** Green-API statuses → ours; `noAccount` (no WhatsApp on the number) is a failure. */
const statusMap: Record<string, string> = { sent: 'sent', delivered: 'delivered', read: 'read', failed: 'failed', noAccount: 'failed' };

/**
 * A Green-API notification → the inbound job the Cloud API door would queue (Cloud API message
 * shape), so waits and ordinary messages work unchanged. Null for what we do not handle
 * (group chats, instance state, our own outgoing messages).
 */
export function toInboundJob(hook: GreenApiWebhook, receivedAt: number): { key: string; job: InboundJob } | null {
  const phoneNumberId = String(hook.instanceData.idInstance);
  const timestamp = String(hook.timestamp ?? Math.floor(receivedAt / 1000));
  if (hook.typeWebhook === 'incomingMessageReceived' && hook.idMessage && hook.senderData && hook.messageData) {
    const from = PERSONAL_CHAT.exec(hook.senderData.chatId)?.[1];
    if (!from) return null;
    const data = hook.messageData;
    const text = data.textMessageData?.textMessage ?? data.extendedTextMessageData?.text;
    const quoted = data.quotedMessage?.stanzaId;
    const event: Record<string, unknown> = text === undefined
      ? { id: hook.idMessage, from, timestamp, type: data.typeMessage, green_api: data }
      : { id: hook.idMessage, from, timestamp, type: 'text', text: { body: text }, ...(quoted ? { context: { id: quoted } } : {}) };
    return { key: `ga:${phoneNumberId}:msg:${hook.idMessage}`, job: { phoneNumberId, kind: 'message', contactName: hook.senderData.senderName, event, receivedAt } };
  }
  if (hook.typeWebhook === 'outgoingMessageStatus' && hook.idMessage && hook.status) {
    const status = statusMap[hook.status] ?? hook.status;
    const recipient = PERSONAL_CHAT.exec(hook.chatId ?? '')?.[1];
    const event: Record<string, unknown> = { id: hook.idMessage, status, timestamp, ...(recipient ? { recipient_id: recipient } : {}), ...(hook.description ? { description: hook.description } : {}) };
    return { key: `ga:${phoneNumberId}:st:${hook.idMessage}:${status}`, job: { phoneNumberId, kind: 'status', event, receivedAt } };
  }
  return null;
}

/** Green-API webhooks: the line's webhookUrlToken checked (Authorization: Bearer), deduplicated, queued, answered 200. */
export function createGreenApiWebhookDoor(rt: Runtime): Router {
  const router = Router();
  router.post(GREEN_API_WEBHOOK_PATH, express.json({ limit: '2mb' }), async (req, res) => {
    const parsed = webhookSchema.safeParse(req.body);
    if (!parsed.success) throw new HttpError(400, 'bad_request', 'not a Green-API notification');
    const hook = parsed.data;
    const line = await rt.lines.findByPhoneNumberId(String(hook.instanceData.idInstance));
    const given = (req.header('authorization') ?? '').replace(/^Bearer\s+/i, '');
    // One answer for every mismatch (unknown instance, other line, wrong token): nothing to probe.
    if (!line || line.provider !== 'green-api' || line.id !== req.params.lineId || !line.webhookToken || !safeEqual(given, line.webhookToken)) {
      rt.metrics.webhooks.inc({ outcome: 'bad_signature' });
      rt.log.warn({ ip: req.ip, lineId: req.params.lineId }, 'green-api webhook refused: bad token or unknown instance');
      throw new HttpError(401, 'bad_token', 'webhook token does not match the line');
    }
    const inbound = toInboundJob(hook, rt.clock.now());
    if (!inbound) {
      res.json({ result: 'ignored' });
      return;
    }
    // Green-API retries undelivered notifications: take each message/status once.
    if (!(await enqueueInboundOnce(rt, inbound.job, inbound.key))) {
      res.json({ result: 'duplicate' });
      return;
    }
    res.json({ result: 'ok' });
  });
  return router;
}
