import { type Request, Router } from 'express';
import { z } from 'zod';
import { endpoints } from '../../config/endpoints';
import { AppError } from '../../lib/errors/app-error';
import { langOf } from '../../lib/i18n/catalogue';
import { installPageEvents } from '../../portals/install-page';
import { type InstallPortalDeps, type InstallVia, installPortal } from '../../portals/install-portal';
import type { Portal } from '../../store/portal-store';
import { renderInstallPage } from './install-page-html';

/** ONAPPINSTALL event (form-encoded, bitrix24-wire.md §4). */
const installEventSchema = z
  .object({
    event: z.literal('ONAPPINSTALL'),
    data: z.object({ LANGUAGE_ID: z.string().optional(), VERSION: z.string().optional() }).loose().optional(),
    auth: z
      .object({
        access_token: z.string().min(1),
        refresh_token: z.string().min(1),
        expires: z.coerce.number().optional(),
        expires_in: z.coerce.number().default(3600),
        domain: z.string().min(1),
        client_endpoint: z.url(),
        server_endpoint: z.url(),
        member_id: z.string().min(1),
        application_token: z.string().min(1),
        // Absent: the installing user is read with `profile` (0 = not named)
        user_id: z.coerce.number().int().nonnegative().default(0),
        scope: z.string().default(''),
      })
      .loose(),
  })
  .loose();

/** The install page POST ("simple way": tokens in the body, portal in the query). */
const installPageSchema = z
  .object({
    AUTH_ID: z.string().min(1),
    REFRESH_ID: z.string().min(1),
    AUTH_EXPIRES: z.coerce.number().default(3600),
    member_id: z.string().min(1),
    SERVER_ENDPOINT: z.url().optional(),
    APPLICATION_TOKEN: z.string().optional(),
  })
  .loose();
const installQuerySchema = z
  .object({ DOMAIN: z.string().min(1), PROTOCOL: z.string().default('1'), LANG: z.string().default('en') })
  .loose();

/**
 * Turns either install form into the portal record it offers. Its addresses are only a claim:
 * `installPortal` decides which addresses are stored (see there).
 */
export function portalFromInstall(
  req: Pick<Request, 'body' | 'query'>,
  now: number,
): { portal: Portal; via: InstallVia } {
  const event = installEventSchema.safeParse(req.body);
  if (event.success) {
    const a = event.data.auth;
    const portal: Portal = {
      memberId: a.member_id,
      domain: a.domain,
      clientEndpoint: a.client_endpoint,
      serverEndpoint: a.server_endpoint,
      applicationToken: a.application_token,
      accessToken: a.access_token,
      refreshToken: a.refresh_token,
      expiresAt: a.expires ? a.expires * 1000 : now + a.expires_in * 1000,
      scope: a.scope,
      userId: a.user_id,
      languageId: event.data.data?.LANGUAGE_ID ?? 'en',
      installedAt: now,
    };
    return { portal, via: 'event' };
  }
  const page = installPageSchema.safeParse(req.body);
  const query = installQuerySchema.safeParse(req.query);
  if (page.success && query.success) {
    const protocol = query.data.PROTOCOL === '0' ? 'http' : 'https';
    const portal: Portal = {
      memberId: page.data.member_id,
      domain: query.data.DOMAIN,
      clientEndpoint: `${protocol}://${query.data.DOMAIN}/rest/`,
      serverEndpoint: page.data.SERVER_ENDPOINT ?? 'https://oauth.bitrix.info/rest/',
      applicationToken: page.data.APPLICATION_TOKEN ?? '',
      accessToken: page.data.AUTH_ID,
      refreshToken: page.data.REFRESH_ID,
      expiresAt: now + page.data.AUTH_EXPIRES * 1000,
      scope: '',
      // The page names no user: the page's token tells (`profile`).
      userId: 0,
      languageId: query.data.LANG,
      installedAt: now,
    };
    return { portal, via: 'page' };
  }
  throw new AppError(
    'bad_install_request',
    'expected an ONAPPINSTALL event or the install page POST (AUTH_ID, REFRESH_ID, member_id)',
    { kind: 'bad_input' },
  );
}

/**
 * The install URL: answers the event with JSON and the install page (in the portal's language: what
 * was registered, the next step) with BX24.installFinish() — only after the page's install bound
 * ONAPPINSTALL, so the event that follows finds the app.
 */
export function createInstallDoor(deps: InstallPortalDeps): Router {
  const router = Router();
  router.post(endpoints.install, async (req, res) => {
    const { portal, via } = portalFromInstall(req, deps.clock.now());
    const outcome = await installPortal(deps, portal, via);
    if (req.body?.event === 'ONAPPINSTALL') {
      res.json({ result: 'installed' });
      return;
    }
    // The page's install bound these (or found them bound) before answering: it throws otherwise.
    res.type('html').send(renderInstallPage(langOf(portal.languageId), outcome, installPageEvents.length));
  });
  return router;
}
