import type { IncomingMessage, ServerResponse } from 'node:http';
import express, { Router } from 'express';
import { endpoints } from '../../config/endpoints';
import type { Clock } from '../../lib/clock';
import { AppError } from '../../lib/errors/app-error';
import { safeEqual } from '../../lib/hash';
import type { Logger } from '../../lib/logger';
import { cloudApiInboundEvents, isValidSignature } from '../../providers/cloud-api/cloud-api-inbound';
import type { InboundEvent } from '../../providers/inbound-message';
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
import { answerJson } from './direct-path';
import { createHandOver, type HandOver } from './hand-over';

export interface WhatsAppWebhookDoorDeps extends EnqueueInboundDeps {
  /** Meta's app secret (signature) and verify token (subscription handshake). */
  whatsapp: { appSecret: string; verifyToken: string };
  clock: Clock;
  log: Logger;
}

/** Largest webhook body read, in bytes (Meta's are a few KiB; beyond this a 413). */
export const WEBHOOK_BODY_LIMIT = 5 * 1024 * 1024;
/** The header Meta signs a webhook's exact bytes in. */
export const SIGNATURE_HEADER = 'x-hub-signature-256';

/**
 * The events of a webhook's raw bytes, checked in this order: the signature (on the bytes as
 * received), then, signed by Meta, so a sender's bug and never a probe, each with its own 4xx: the
 * media type (`isJson`: the request declared JSON), UTF-8, JSON, nesting, the envelope. Throws the
 * first failure's AppError.
 */
export function webhookEvents(
  raw: Buffer,
  signature: string | undefined,
  isJson: boolean,
  appSecret: string,
): InboundEvent[] {
  if (!isValidSignature(raw, signature, appSecret)) {
    throw new AppError('bad_signature', 'X-Hub-Signature-256 does not match the body', { kind: 'unauthorized' });
  }
  if (!isJson) throw unsupportedType([JSON_TYPE]);
  if (!isUtf8(raw)) throw badEncoding();
  const json = parseJson(raw.toString('utf8'));
  if (!dropPrototypeKeys(json, JSON_DEPTH)) throw tooDeepJson();
  const events = cloudApiInboundEvents(json);
  if (!events) throw new AppError('bad_request', 'not a WhatsApp webhook envelope', { kind: 'bad_input' });
  return events;
}

/** Queues each event once (in the body's order) and answers 200 with how many were new. */
export async function queueAndAnswer(
  deps: WhatsAppWebhookDoorDeps,
  res: ServerResponse,
  events: InboundEvent[],
): Promise<void> {
  const receivedAt = deps.clock.now();
  let queued = 0;
  // Object.assign, not `{ ...job, receivedAt }`: V8 adds a property written after a leading spread slowly.
  for (const { key, ...job } of events)
    if (await enqueueInboundOnce(deps, Object.assign(job, { receivedAt }), key)) queued += 1;
  // Meta reads only the status.
  answerJson(res, { result: 'ok', queued });
}

/** A webhook the direct path read and refused: its bytes, and the check's error (this door answers and logs it). */
export type RefusedWebhook = { raw: Buffer; refusal: unknown };

const handedOver = createHandOver<RefusedWebhook>();
const refusals = new WeakMap<IncomingMessage, unknown>();

/** Hands a webhook the direct path refused, or the error it met, to this door (next it passes it to the Express app). */
export const handOverWebhook: Pick<HandOver<RefusedWebhook>, 'give' | 'fail'> = handedOver;

const takeHandedOver = handedOver.step((req, taken) => {
  // The body is read: body-parser passes over a finished request and keeps this.
  req.body = taken.raw;
  refusals.set(req, taken.refusal);
});

/**
 * Meta's webhook: GET verification; POST checked on the raw bytes, deduplicated, queued, answered 200.
 * The plain POSTs are served by the direct path (whatsapp-webhook-direct.ts) with the same functions.
 */
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

  const readRaw = express.raw({ type: () => true, limit: WEBHOOK_BODY_LIMIT });
  router.post(endpoints.whatsappWebhook, takeHandedOver, readRaw, async (req, res) => {
    const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    let events: InboundEvent[];
    try {
      if (refusals.has(req)) throw refusals.get(req);
      events = webhookEvents(raw, req.header(SIGNATURE_HEADER), req.is(JSON_TYPE) !== false, deps.whatsapp.appSecret);
    } catch (error) {
      if (error instanceof AppError && error.code === 'bad_signature') {
        deps.metrics.webhooks.inc({ outcome: 'bad_signature' });
        deps.log.warn({ ip: req.ip }, 'webhook refused: bad or missing signature');
      }
      throw error;
    }
    await queueAndAnswer(deps, res, events);
  });
  return router;
}
