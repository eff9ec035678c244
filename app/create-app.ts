import { createServer, type Server } from 'node:http';
import express from 'express';
import { endpoints } from '../config/endpoints';
import type { AppConfig } from '../config/env-schema';
import { type DirectDoorsHost, mountDirectDoors } from './doors/direct-doors';
import { createEventsDoor, type EventsDoorDeps } from './doors/events-door';
import { createGreenApiWebhookDoor, type GreenApiWebhookDoorDeps } from './doors/green-api-webhook-door';
import { createGupshupWebhookDoor, type GupshupWebhookDoorDeps } from './doors/gupshup-webhook-door';
import { createInstallDoor } from './doors/install-door';
import { createMediaDoor, type MediaDoorDeps } from './doors/media-door';
import { createOpenLineSettingsDoor, type OpenLineSettingsDeps } from './doors/open-line-settings-door';
import { createOpsDoor, type OpsDoorDeps } from './doors/ops-door';
import type { RequestListener, RobotDoorDeps } from './doors/robot-door';
import { createRobotDoorDirect } from './doors/robot-door-direct';
import { createSettingsPageDoor, type SettingsPageDoorDeps } from './doors/settings-page-door';
import { createWebhookApiDoor, createWebhookApiErrorHandler, type WebhookApiDoorDeps } from './doors/webhook-api-door';
import { createWhatsAppWebhookDirect } from './doors/whatsapp-webhook-direct';
import type { WhatsAppWebhookDoorDeps } from './doors/whatsapp-webhook-door';
import { FORM_TYPE, formBody, JSON_TYPE, jsonBody, requireMediaType } from './middleware/body-parsers';
import { createErrorHandler } from './middleware/error-handler';
import { warnUntrustedForwardedFor } from './middleware/forwarded-for-check';

/** What the doors together use (the runtime provides it; a test may build its own). */
export type AppDeps = RobotDoorDeps &
  EventsDoorDeps &
  WhatsAppWebhookDoorDeps &
  GreenApiWebhookDoorDeps &
  GupshupWebhookDoorDeps &
  OpsDoorDeps &
  MediaDoorDeps &
  OpenLineSettingsDeps &
  WebhookApiDoorDeps &
  SettingsPageDoorDeps & { config: Pick<AppConfig, 'TRUST_PROXY'> };

/** Told once that the server listens, or of the error that kept it from listening. */
export type Ready = (error?: Error) => void;

/** The web process' request listener, and `listen` to serve it (as an Express app's). */
export interface WebApp extends RequestListener {
  /**
   * Serves on `port` (and `host`); `ready` is called once listening, or with the error when that
   * fails. Server errors after that are not `ready`'s: the caller listens for them.
   */
  listen(port: number, ready?: Ready): Server;
  listen(port: number, host: string, ready?: Ready): Server;
}

/**
 * The HTTP app (not yet listening): doors verify, validate, queue and answer. A portal's plain
 * robot calls and Meta's plain webhooks are served straight from the HTTP server
 * (robot-door-direct.ts, whatsapp-webhook-direct.ts); everything else goes to Express.
 */
export function createApp(deps: AppDeps): WebApp {
  const app = createExpressApp(deps);
  // A provider's webhooks first (a cheap path check), then a portal's robot calls, then Express.
  const listener = createWhatsAppWebhookDirect(deps, app, createRobotDoorDirect(deps, app));
  const listen = (port: number, hostOrReady?: string | Ready, ready?: Ready): Server => {
    const server = createServer(listener);
    const host = typeof hostOrReady === 'string' ? hostOrReady : undefined;
    const callback = typeof hostOrReady === 'function' ? hostOrReady : ready;
    if (callback === undefined) return server.listen(port, host);
    // As Express' listen, the callback hears of a failure to listen too; unlike it, only of that:
    // once listening, a server error (an accept failing) is the caller's, not silently dropped here.
    const failed = (error: Error) => {
      server.off('listening', listening);
      callback(error);
    };
    const listening = () => {
      server.off('error', failed);
      callback();
    };
    server.once('error', failed);
    server.once('listening', listening);
    return server.listen(port, host);
  };
  return Object.assign(listener, { listen });
}

/** Every door on Express (the robot door too: the direct path hands it every call it does not answer itself). */
export function createExpressApp(deps: AppDeps): DirectDoorsHost {
  const app = express();
  app.disable('x-powered-by');
  // Whose X-Forwarded-For names the client (req.ip): the settings page's per-address window counts
  // it, so only peers the operator trusts may set it (config/trust-proxy.ts; never every peer by default).
  app.set('trust proxy', deps.config.TRUST_PROXY);
  if (deps.config.TRUST_PROXY === true)
    deps.log.warn(
      'TRUST_PROXY=true: every peer may name the client address; safe only when nothing but your proxy reaches the app',
    );
  // The busiest door first, with its own parsers: a robot call passes no other door's router. Then
  // the webhook door, before any body parser (it needs its raw bytes for the signature). First also
  // because the direct paths hand them requests (see DirectDoorsHost): per-request handling added for
  // every door (a request id, headers, an access log) goes in the direct paths too.
  const host = mountDirectDoors(app, deps);
  // After them (they must be the first layers); the settings page's windows are what req.ip feeds.
  app.use(warnUntrustedForwardedFor(deps.log));
  // Green-API posts plain JSON to its own per-line path; the door parses it itself.
  app.use(createGreenApiWebhookDoor(deps));
  // GupShup posts its own JSON to a per-line path holding the line's secret.
  app.use(createGupshupWebhookDoor(deps));
  // The Bitrix24 doors read forms (JSON too): any other body is a 415, before a byte is parsed.
  app.post([endpoints.install, endpoints.events, endpoints.webhookApi], requireMediaType(FORM_TYPE, JSON_TYPE));
  app.use(formBody());
  app.use(jsonBody());
  app.use(createOpsDoor(deps));
  app.use(createMediaDoor(deps));
  app.use(createOpenLineSettingsDoor(deps));
  app.use(createInstallDoor(deps));
  app.use(createEventsDoor(deps));
  app.use(createWebhookApiDoor(deps));
  app.use(createSettingsPageDoor(deps));
  app.use((_req, res) => {
    res.status(404).json({ error: 'not_found', error_description: 'no such endpoint' });
  });
  app.use(createWebhookApiErrorHandler(deps));
  app.use(createErrorHandler(deps.log));
  return host;
}
