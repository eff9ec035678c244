import express, { Router } from 'express';
import { createHmac } from 'node:crypto';
import { z } from 'zod';
import type { Runtime } from '../../runtime/create-runtime';
import { safeEqual } from '../../lib/hash';
import { HttpError } from '../middleware/http-error';
import { endpoints } from '../endpoints';
import type { InboundJob } from '../../queues/job-schemas';
import { enqueueInboundOnce } from '../../queues/enqueue-inbound-once';

const envelopeSchema = z.object({
  object: z.string(),
  entry: z.array(z.object({
    changes: z.array(z.object({
      field: z.string(),
      value: z.object({
        metadata: z.object({ phone_number_id: z.string(), display_phone_number: z.string().optional() }).loose().optional(),
        contacts: z.array(z.object({ profile: z.object({ name: z.string().optional() }).loose().optional() }).loose()).optional(),
        messages: z.array(z.object({ id: z.string() }).loose()).optional(),
        statuses: z.array(z.object({ id: z.string(), status: z.string() }).loose()).optional(),
      }).loose(),
    }).loose()).default([]),
  }).loose()).default([]),
}).loose();

/** True when `X-Hub-Signature-256` is the HMAC-SHA256 of the exact raw body with the app secret. */
export function isValidSignature(rawBody: Buffer, header: string | undefined, appSecret: string): boolean {
  if (!header?.startsWith('sha256=')) return false;
  const expected = createHmac('sha256', appSecret).update(rawBody).digest('hex');
  return safeEqual(header.slice(7).toLowerCase(), expected);
}

/** Meta's webhook: GET verification; POST checked on the raw bytes, deduplicated, queued, answered 200. */
export function createWhatsAppWebhookDoor(rt: Runtime): Router {
  const router = Router();
  router.get(endpoints.whatsappWebhook, (req, res) => {
    const mode = req.query['hub.mode'];
    const token = req.query['hub.verify_token'];
    const challenge = req.query['hub.challenge'];
    if (mode === 'subscribe' && typeof token === 'string' && safeEqual(token, rt.config.WA_VERIFY_TOKEN) && typeof challenge === 'string') {
      res.type('text/plain').send(challenge);
      return;
    }
    res.status(403).json({ error: 'forbidden', error_description: 'verify token mismatch' });
  });

  router.post(endpoints.whatsappWebhook, express.raw({ type: () => true, limit: '5mb' }), async (req, res) => {
    const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    if (!isValidSignature(raw, req.header('x-hub-signature-256'), rt.config.WA_APP_SECRET)) {
      rt.metrics.webhooks.inc({ outcome: 'bad_signature' });
      rt.log.warn({ ip: req.ip }, 'webhook refused: bad or missing signature');
      throw new HttpError(401, 'bad_signature', 'X-Hub-Signature-256 does not match the body');
    }
    let json: unknown;
    try {
      json = JSON.parse(raw.toString('utf8'));
    } catch {
      throw new HttpError(400, 'bad_request', 'body is not JSON');
    }
    const envelope = envelopeSchema.safeParse(json);
    if (!envelope.success) throw new HttpError(400, 'bad_request', 'not a WhatsApp webhook envelope');
    const now = rt.clock.now();
    const events: Array<{ key: string; job: InboundJob }> = [];
    for (const entry of envelope.data.entry) {
      for (const change of entry.changes) {
        const { metadata, messages = [], statuses = [], contacts = [] } = change.value;
        if (!metadata) continue;
        const base = { phoneNumberId: metadata.phone_number_id, displayPhoneNumber: metadata.display_phone_number, receivedAt: now };
        for (const message of messages) {
          events.push({ key: `msg:${message.id}`, job: { ...base, kind: 'message', contactName: contacts[0]?.profile?.name, event: message } });
        }
        for (const status of statuses) {
          events.push({ key: `st:${status.id}:${status.status}`, job: { ...base, kind: 'status', event: status } });
        }
      }
    }
    let queued = 0;
    for (const { key, job } of events) if (await enqueueInboundOnce(rt, job, key)) queued += 1;
    res.json({ result: 'ok', queued });
  });
  return router;
}
