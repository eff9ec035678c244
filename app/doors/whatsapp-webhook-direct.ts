import type { IncomingMessage, ServerResponse } from 'node:http';
import { endpoints } from '../../config/endpoints';
import type { InboundEvent } from '../../providers/inbound-message';
import { JSON_TYPE } from '../middleware/body-parsers';
import type { DirectDoorsHost } from './direct-doors';
import { directPath, plainBodyLength, type RequestListener } from './direct-path';
import {
  handOverWebhook,
  queueAndAnswer,
  SIGNATURE_HEADER,
  WEBHOOK_BODY_LIMIT,
  type WhatsAppWebhookDoorDeps,
  webhookEvents,
} from './whatsapp-webhook-door';

/** The Content-Types the direct path reads: what Meta sends. Any other goes to Express as it comes. */
const DIRECT_TYPES: ReadonlySet<string> = new Set([
  JSON_TYPE,
  `${JSON_TYPE}; charset=utf-8`,
  `${JSON_TYPE}; charset=UTF-8`,
]);

/**
 * The Cloud API webhook door for the POSTs Meta sends, straight from Node's HTTP server: the same
 * checks (webhookEvents: the signature on the exact bytes first), jobs and answer as the Express
 * door (whatsapp-webhook-door.ts), without Express' router, request setup and body reader. Only a
 * plain POST is read here (see plainBodyLength); a webhook it refuses goes to `express` with its
 * bytes and the refusal (that door counts, logs with the client's address, and answers), as does
 * whatever fails on the way (Redis down: answered as Express answers a handler's rejection).
 * Every other request goes to `others` (the robot door's direct path, then Express).
 *
 * `express` is an app mountDirectDoors mounted this door on (DirectDoorsHost): the door comes right
 * after the robot door, before any body parser, and its POST route's first step takes the
 * handed-over webhook up.
 */
export function createWhatsAppWebhookDirect(
  deps: WhatsAppWebhookDoorDeps,
  express: DirectDoorsHost,
  others: RequestListener,
): RequestListener {
  const { appSecret } = deps.whatsapp;
  const serve = async (req: IncomingMessage, res: ServerResponse, raw: Buffer): Promise<void> => {
    const signature = req.headers[SIGNATURE_HEADER];
    let events: InboundEvent[];
    try {
      // Declared JSON: every DIRECT_TYPES spelling is what the Express door's type check accepts.
      events = webhookEvents(raw, typeof signature === 'string' ? signature : undefined, true, appSecret);
    } catch (refusal) {
      handOverWebhook.give(req, { raw, refusal });
      return express(req, res);
    }
    await queueAndAnswer(deps, res, events);
  };
  const fail = (req: IncomingMessage, res: ServerResponse, error: unknown) => {
    handOverWebhook.fail(req, error);
    express(req, res);
  };
  const lengthOf = (req: IncomingMessage) =>
    plainBodyLength(req, endpoints.whatsappWebhook, DIRECT_TYPES, WEBHOOK_BODY_LIMIT);
  return directPath(lengthOf, serve, fail, others);
}
