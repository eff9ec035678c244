import express, { type Express } from 'express';
import type { Runtime } from '../runtime/create-runtime';
import { createErrorHandler } from './middleware/http-error';
import { createInstallDoor } from './doors/install-door';
import { createEventsDoor } from './doors/events-door';
import { createRobotDoor } from './doors/robot-door';
import { createWhatsAppWebhookDoor } from './doors/whatsapp-webhook-door';
import { createGreenApiWebhookDoor } from './doors/green-api-webhook-door';
import { createOpsDoor } from './doors/ops-door';

/** The HTTP app (no listen): doors verify, validate, queue and answer. */
export function createApp(rt: Runtime): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', true);
  // The webhook needs its raw bytes for the signature, so it is mounted before any body parser.
  app.use(createWhatsAppWebhookDoor(rt));
  // Green-API posts plain JSON to its own per-line path; the door parses it itself.
  app.use(createGreenApiWebhookDoor(rt));
  app.use(express.urlencoded({ extended: true, parameterLimit: 20_000, limit: '2mb' }));
  app.use(express.json({ limit: '2mb' }));
  app.use(createOpsDoor(rt));
  app.use(createInstallDoor(rt));
  app.use(createEventsDoor(rt));
  app.use(createRobotDoor(rt));
  app.use((_req, res) => { res.status(404).json({ error: 'not_found', error_description: 'no such endpoint' }); });
  app.use(createErrorHandler(rt.log));
  return app;
}
