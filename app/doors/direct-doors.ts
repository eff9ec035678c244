import type { IncomingMessage } from 'node:http';
import type { Express } from 'express';
import type { RequestListener } from './direct-path';
import { type RobotDoorDeps, robotDoorRouter } from './robot-door';
import { createWhatsAppWebhookDoor, type WhatsAppWebhookDoorDeps } from './whatsapp-webhook-door';

const directDoorsFirst: unique symbol = Symbol("the direct paths' doors mounted first");

/**
 * An Express app whose first layers are the robot door's router and then the WhatsApp webhook door's,
 * as mountDirectDoors leaves it: the only listener the direct paths (robot-door-direct.ts,
 * whatsapp-webhook-direct.ts) may hand a request to. Each door's POST route's first step takes the
 * handed-over request up; anything mounted before them would run for refused requests only, never
 * for the direct paths' 200s, and a listener that answered first would drop a handed-over error unseen.
 */
export type DirectDoorsHost = RequestListener & { readonly [directDoorsFirst]: true };

/**
 * Mounts the doors the direct paths hand requests to as `app`'s first layers, the robot door then
 * the WhatsApp webhook door (nothing can come between them), and returns `app` as their host.
 * Throws when `app` has a layer already: whatever runs for every request must run for the direct
 * paths' requests too, so it goes in both places or in neither (see DirectDoorsHost).
 */
export function mountDirectDoors(app: Express, deps: RobotDoorDeps & WhatsAppWebhookDoorDeps): DirectDoorsHost {
  if (app.router.stack.length > 0) {
    throw new Error(
      'the robot and webhook doors must be the first layers of the Express app the direct paths hand requests to',
    );
  }
  app.use(robotDoorRouter(deps));
  app.use(createWhatsAppWebhookDoor(deps));
  return Object.assign(app, { [directDoorsFirst]: true as const });
}

/** `host` with `see` told of each request first (a count, a trace): still a host, as each request still reaches it. */
export function observedHost(host: DirectDoorsHost, see: (req: IncomingMessage) => void): DirectDoorsHost {
  const observed: RequestListener = (req, res) => {
    see(req);
    host(req, res);
  };
  return Object.assign(observed, { [directDoorsFirst]: true as const });
}
