import { Router, type Request } from 'express';
import { z } from 'zod';
import type { Runtime } from '../../runtime/create-runtime';
import type { Portal } from '../../store/portal-store';
import { HttpError } from '../middleware/http-error';
import { endpoints } from '../endpoints';
import { exchangeRefreshToken } from '../../bitrix/refresh-tokens';

/** ONAPPINSTALL event (form-encoded, bitrix24-wire.md §4). */
const installEventSchema = z.object({
  event: z.literal('ONAPPINSTALL'),
  data: z.object({ LANGUAGE_ID: z.string().optional(), VERSION: z.string().optional() }).loose().optional(),
  auth: z.object({
    access_token: z.string().min(1),
    refresh_token: z.string().min(1),
    expires: z.coerce.number().optional(),
    expires_in: z.coerce.number().default(3600),
    domain: z.string().min(1),
    client_endpoint: z.url(),
    server_endpoint: z.url(),
    member_id: z.string().min(1),
    application_token: z.string().min(1),
    user_id: z.coerce.number().default(1),
    scope: z.string().default(''),
  }).loose(),
}).loose();

/** The install page POST ("simple way": tokens in the body, portal in the query). */
const installPageSchema = z.object({
  AUTH_ID: z.string().min(1),
  REFRESH_ID: z.string().min(1),
  AUTH_EXPIRES: z.coerce.number().default(3600),
  member_id: z.string().min(1),
  SERVER_ENDPOINT: z.url().optional(),
  APPLICATION_TOKEN: z.string().optional(),
}).loose();
const installQuerySchema = z.object({ DOMAIN: z.string().min(1), PROTOCOL: z.string().default('1'), LANG: z.string().default('en') }).loose();

const hostOf = (url: string) => new URL(url).host;

/** Turns either install form into a portal record. */
export function portalFromInstall(req: Request, now: number): Portal {
  const event = installEventSchema.safeParse(req.body);
  if (event.success) {
    const a = event.data.auth;
    return {
      memberId: a.member_id, domain: a.domain, clientEndpoint: a.client_endpoint, serverEndpoint: a.server_endpoint,
      applicationToken: a.application_token, accessToken: a.access_token, refreshToken: a.refresh_token,
      expiresAt: a.expires ? a.expires * 1000 : now + a.expires_in * 1000, scope: a.scope, userId: a.user_id,
      languageId: event.data.data?.LANGUAGE_ID ?? 'en', installedAt: now,
    };
  }
  const page = installPageSchema.safeParse(req.body);
  const query = installQuerySchema.safeParse(req.query);
  if (page.success && query.success) {
    const protocol = query.data.PROTOCOL === '0' ? 'http' : 'https';
    return {
      memberId: page.data.member_id, domain: query.data.DOMAIN, clientEndpoint: `${protocol}://${query.data.DOMAIN}/rest/`,
      serverEndpoint: page.data.SERVER_ENDPOINT ?? 'https://oauth.bitrix.info/rest/', applicationToken: page.data.APPLICATION_TOKEN ?? '',
      accessToken: page.data.AUTH_ID, refreshToken: page.data.REFRESH_ID, expiresAt: now + page.data.AUTH_EXPIRES * 1000,
      scope: '', userId: 1, languageId: query.data.LANG, installedAt: now,
    };
  }
  throw new HttpError(400, 'bad_install_request', 'expected an ONAPPINSTALL event or the install page POST (AUTH_ID, REFRESH_ID, member_id)');
}

/** Stores the portal (tokens sealed) and queues registration of robots, activities and events. */
export async function installPortal(rt: Runtime, offered: Portal): Promise<void> {
  let portal = offered;
  const existing = await rt.portals.get(portal.memberId);
  // The offered token must work at the portal's own address: a forged install has no valid token
  // for a real portal, so it can neither take one over nor learn anything.
  if (!(await rt.bitrix.probe(portal))) throw new HttpError(403, 'install_not_verified', 'the install tokens do not work at the portal\'s REST address');
  if (existing && hostOf(existing.clientEndpoint) !== hostOf(portal.clientEndpoint)) {
    // A portal that changed its address: only the OAuth server can vouch that it is the same one.
    portal = await confirmMovedPortal(rt, portal);
  }
  const merged: Portal = existing
    ? { ...existing, ...portal, applicationToken: portal.applicationToken || existing.applicationToken, installedAt: existing.installedAt }
    : portal;
  await rt.portals.save(merged);
  await rt.queues.enqueuePortalSetup({ memberId: merged.memberId, reason: existing ? 'update' : 'install' }, `${merged.applicationToken}|${rt.clock.now()}`);
  rt.log.info({ memberId: merged.memberId, domain: merged.domain, update: Boolean(existing) }, 'portal installed');
}

/** The OAuth server's answer vouches for the move: same member, and the address the install came from. */
export function confirmsMove(offered: Pick<Portal, 'memberId' | 'clientEndpoint'>, oauth: { memberId: string; clientEndpoint: string }): boolean {
  return oauth.memberId === offered.memberId && hostOf(oauth.clientEndpoint) === hostOf(offered.clientEndpoint);
}

/** Confirms a moved portal with the trusted OAuth server (its answer names member and address). */
async function confirmMovedPortal(rt: Runtime, portal: Portal): Promise<Portal> {
  try {
    const { confirmedMemberId, ...refreshed } = await exchangeRefreshToken(portal, { clientId: rt.config.B24_CLIENT_ID, clientSecret: rt.config.B24_CLIENT_SECRET, oauthUrl: rt.config.B24_OAUTH_URL, log: rt.log });
    if (confirmsMove(portal, { memberId: confirmedMemberId, clientEndpoint: refreshed.clientEndpoint })) return refreshed;
  } catch (error) {
    rt.log.warn({ memberId: portal.memberId, err: error instanceof Error ? error.message : String(error) }, 'moved portal not confirmed');
  }
  throw new HttpError(403, 'portal_mismatch', 'this member_id is installed at another address and the OAuth server did not confirm the move');
}

/** The install URL: answers the event with JSON and the install page with BX24.installFinish(). */
export function createInstallDoor(rt: Runtime): Router {
  const router = Router();
  router.post(endpoints.install, async (req, res) => {
    const portal = portalFromInstall(req, rt.clock.now());
    await installPortal(rt, portal);
    if (req.body?.event === 'ONAPPINSTALL') {
      res.json({ result: 'installed' });
      return;
    }
    res.type('html').send('<!doctype html><html><head><meta charset="utf-8"><script src="//api.bitrix24.com/api/v1/"></script></head>'
      + '<body><p>WhatsApp robots are installed. Registering robots and activities…</p>'
      + '<script>if (window.BX24) BX24.init(function () { BX24.installFinish(); });</script></body></html>');
  });
  return router;
}
