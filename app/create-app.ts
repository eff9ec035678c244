import express, { type Express } from 'express';
import { createEventsDoor, type EventsDoorDeps } from './doors/events-door';
import { createGreenApiWebhookDoor, type GreenApiWebhookDoorDeps } from './doors/green-api-webhook-door';
import { createInstallDoor } from './doors/install-door';
import { createOpsDoor, type OpsDoorDeps } from './doors/ops-door';
import { createRobotDoor, type RobotDoorDeps } from './doors/robot-door';
import { createWhatsAppWebhookDoor, type WhatsAppWebhookDoorDeps } from './doors/whatsapp-webhook-door';
import { createErrorHandler } from './middleware/error-handler';

/** What the doors together use (the runtime provides it; a test may build its own). */
export type AppDeps = RobotDoorDeps & EventsDoorDeps & WhatsAppWebhookDoorDeps & GreenApiWebhookDoorDeps & OpsDoorDeps;

/** The HTTP app (no listen): doors verify, validate, queue and answer. */
export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', true);
  // The webhook needs its raw bytes for the signature, so it is mounted before any body parser.
  app.use(createWhatsAppWebhookDoor(deps));
  // Green-API posts plain JSON to its own per-line path; the door parses it itself.
  app.use(createGreenApiWebhookDoor(deps));
  app.use(express.urlencoded({ extended: true, parameterLimit: 20_000, limit: '2mb' }));
  app.use(express.json({ limit: '2mb' }));
  app.use(createOpsDoor(deps));
  app.use(createInstallDoor(deps));
  app.use(createEventsDoor(deps));
  app.use(createRobotDoor(deps));
  app.use((_req, res) => {
    res.status(404).json({ error: 'not_found', error_description: 'no such endpoint' });
  });
  app.use(createErrorHandler(deps.log));
  return app;
}
