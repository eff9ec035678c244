import express, { Router } from 'express';
import { endpoints } from '../../config/endpoints';
import type { Clock } from '../../lib/clock';
import { AppError } from '../../lib/errors/app-error';
import { safeEqual } from '../../lib/hash';
import type { Logger } from '../../lib/logger';
import { cloudApiInboundEvents, isValidSignature } from '../../providers/cloud-api/cloud-api-inbound';
import { type EnqueueInboundDeps, enqueueInboundOnce } from '../../queues/enqueue-inbound-once';
import { dropPrototypeKeys, isUtf8 } from '../middleware/body-checks';
import {
  badEncoding,
  JSON_DEPTH,
  JSON_TYPE,
  parseJson,
  tooDeepJson,
  unsupportedType,
} from '../middleware/body-parsers';

export interface WhatsAppWebhookDoorDeps extends EnqueueInboundDeps {
  /** Meta's app secret (signature) and verify token (subscription handshake). */
  whatsapp: { appSecret: string; verifyToken: string };
  clock: Clock;
  log: Logger;
}

/** Meta's webhook: GET verification; POST checked on the raw bytes, deduplicated, queued, answered 200. */
export function createWhatsAppWebhookDoor(deps: WhatsAppWebhookDoorDeps): Router {
  const router = Router();
  router.get(endpoints.whatsappWebhook, (req, res) => {
    const mode = req.query['hub.mode'];
    const token = req.query['hub.verify_token'];
    const challenge = req.query['hub.challenge'];
    const tokenOk = typeof token === 'string' && safeEqual(token, deps.whatsapp.verifyToken);
    if (mode === 'subscribe' && tokenOk && typeof challenge === 'string') {
      res.type('text/plain').send(challenge);
      return;
    }
    res.status(403).json({ error: 'forbidden', error_description: 'verify token mismatch' });
  });

  router.post(endpoints.whatsappWebhook, express.raw({ type: () => true, limit: '5mb' }), async (req, res) => {
    const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    if (!isValidSignature(raw, req.header('x-hub-signature-256'), deps.whatsapp.appSecret)) {
      deps.metrics.webhooks.inc({ outcome: 'bad_signature' });
      deps.log.warn({ ip: req.ip }, 'webhook refused: bad or missing signature');
      throw new AppError('bad_signature', 'X-Hub-Signature-256 does not match the body', { kind: 'unauthorized' });
    }
    // Signed by Meta, so the checks below are for a sender's bug, never a probe: each has its own 4xx.
    if (req.is(JSON_TYPE) === false) throw unsupportedType([JSON_TYPE]);
    if (!isUtf8(raw)) throw badEncoding();
    const json = parseJson(raw.toString('utf8'));
    if (!dropPrototypeKeys(json, JSON_DEPTH)) throw tooDeepJson();
    const events = cloudApiInboundEvents(json);
    if (!events) throw new AppError('bad_request', 'not a WhatsApp webhook envelope', { kind: 'bad_input' });
    const receivedAt = deps.clock.now();
    let queued = 0;
    for (const { key, ...job } of events) if (await enqueueInboundOnce(deps, { ...job, receivedAt }, key)) queued += 1;
    // Written whole (Meta reads only the status): no ETag to compute for an answer nobody caches.
    res.type('json').end(JSON.stringify({ result: 'ok', queued }));
  });
  return router;
}
