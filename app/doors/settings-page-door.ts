import express, { type Request, type Response, Router } from 'express';
import { z } from 'zod';
import { endpoints } from '../../config/endpoints';
import type { AppConfig } from '../../config/env-schema';
import { AppError } from '../../lib/errors/app-error';
import { classifyError } from '../../lib/errors/classify-error';
import { type Lang, langOf, t } from '../../lib/i18n/catalogue';
import { en, type MessageKey } from '../../lib/i18n/en';
import type { Logger } from '../../lib/logger';
import { isTimeZone } from '../../lib/portal-time';
import { type PageAuthDeps, type PageUser, pageOpeningSchema, verifyPageUser } from '../../portals/page-auth';
import { requireAdmin } from '../../portals/page-session';
import type { Queues } from '../../queues/create-queues';
import { portalTimeZone } from '../../store/portal-store';
import { textOf } from '../api/api-answers';
import { setRetryAfter, statusOfKind } from '../middleware/error-handler';
import { renderPage, WEB_DIST } from '../settings/page-html';
import { pageSessionUserOf, requirePageSession, sessionOf } from '../settings/page-session-auth';
import { createQueueBoard } from '../settings/queue-board';
import { type SessionRateLimitDeps, signInWithinLimits } from '../settings/session-rate-limit';
import { createSettingsActivityRouter, type SettingsActivityDeps } from '../settings/settings-activity';
import { createSettingsErrorHandler } from '../settings/settings-errors';
import { createSettingsLinesRouter } from '../settings/settings-lines';
import { createSettingsOpenLinesRouter, type SettingsOpenLinesDeps } from '../settings/settings-open-lines';

export type SettingsPageDoorDeps = PageAuthDeps &
  SessionRateLimitDeps &
  SettingsActivityDeps &
  SettingsOpenLinesDeps & {
    pageSessionKey: Buffer;
    config: Pick<AppConfig, 'QUEUE_BOARD_PORTALS' | 'QUEUE_BOARD_WRITABLE'>;
    queues: Pick<
      Queues,
      'runAction' | 'inbound' | 'waitTimeout' | 'waitDeadlines' | 'bitrixEvent' | 'portalSetup' | 'maintenance'
    >;
    log: Logger;
  };

const PAGE = endpoints.settingsPage;
const settingsKeys = (Object.keys(en) as MessageKey[]).filter((key) => key.startsWith('settings.'));

/** The page's words in `lang` (the catalogue's settings section), sent inside the page. */
export function pageWords(lang: Lang): Record<string, string> {
  return Object.fromEntries(settingsKeys.map((key) => [key, t(lang, key)]));
}

const pageQuerySchema = z.object({ LANG: z.string().max(8).optional() });
/**
 * What the doors read before the limits (verifyPageUser checks the rest). Each field on its own: a
 * bad LANG must not hide member_id, or the portal's window would be skipped while `profile` is still called.
 */
const limitFieldsSchema = z
  .object({
    LANG: z.string().max(8).optional().catch(undefined),
    member_id: pageOpeningSchema.shape.member_id.optional().catch(undefined),
  })
  .loose();
const limitFieldsOf = (body: unknown): { LANG?: string; member_id?: string } => {
  const parsed = limitFieldsSchema.safeParse(body);
  return parsed.success ? parsed.data : {};
};
/** The client's address for its windows: the TCP peer's, or what a trusted proxy says it is (TRUST_PROXY). */
const addressOf = (req: Request): string => req.ip ?? req.socket.remoteAddress ?? '';

/**
 * Bull Board shows and controls every tenant's jobs: only an admin of one of the operator's own
 * portals (QUEUE_BOARD_PORTALS) may open it, never a tenant's admin.
 */
function mayOpenQueueBoard(config: SettingsPageDoorDeps['config'], memberId: string, admin: boolean): boolean {
  return admin && config.QUEUE_BOARD_PORTALS.includes(memberId);
}

/** The verified user's answer fields (the page's boot and `/api/session`). */
const sessionView = (config: SettingsPageDoorDeps['config'], user: PageUser) => ({
  token: user.session,
  admin: user.user.admin,
  queues: mayOpenQueueBoard(config, user.portal.memberId, user.user.admin),
  userName: user.user.name,
  // The portal's zone (its settings), else the user's own, else the browser's (an empty one).
  timeZone: [portalTimeZone(user.portal), user.user.timeZone].find((zone) => zone && isTimeZone(zone)) ?? '',
  lang: user.lang,
  words: pageWords(user.lang),
});

/** Only the verified portal may frame the page (portal-ui-wire.md §1.3); never X-Frame-Options. */
function allowFraming(res: Response, clientEndpoint: string): void {
  res.set('Content-Security-Policy', `frame-ancestors ${new URL(clientEndpoint).origin}`);
}

/**
 * The settings page, the app's main page in Bitrix24 (a form POST into the portal's iframe; GET
 * too): verified with `profile` at the stored portal (page-auth.ts), it carries a short page
 * session that its JSON calls send as a Bearer token. Also: the page's assets, the session
 * renewal, the JSON API and, for admins, Bull Board.
 */
export function createSettingsPageDoor(deps: SettingsPageDoorDeps): Router {
  const router = Router();
  const api = `${PAGE}/api`;
  const openPage = async (req: Request, res: Response) => {
    // LANG only picks between catalogues: anything odd is no preference, never an error.
    const parsed = pageQuerySchema.safeParse(req.query);
    const query = parsed.success ? parsed.data : {};
    const hasAuth = typeof req.body === 'object' && req.body !== null && 'AUTH_ID' in req.body;
    res.set('Cache-Control', 'no-store');
    if (!hasAuth) {
      // Opened without a portal's POST: the page asks the frame SDK for a token, else says where to open it.
      const lang = langOf(query.LANG);
      res.type('html').send(renderPage({ lang, words: pageWords(lang), api }));
      return;
    }
    try {
      // The same `profile` call as the session door: the same windows (a client refused there gets no way round).
      const client = { address: addressOf(req), memberId: limitFieldsOf(req.body).member_id };
      const user = await signInWithinLimits(deps, client, () => verifyPageUser(deps, req.body, query.LANG));
      allowFraming(res, user.portal.clientEndpoint);
      res.type('html').send(renderPage({ ...sessionView(deps.config, user), api }));
    } catch (error) {
      const failure = classifyError(error);
      if (failure.kind === 'internal' || failure.code === 'settings_page_not_built') throw error;
      const lang = langOf(query.LANG);
      deps.log.info({ code: failure.code }, 'settings page opening refused');
      const status = statusOfKind[failure.kind];
      setRetryAfter(res, status, failure.retryAfterMs);
      res
        .status(status)
        .type('html')
        .send(renderPage({ lang, words: pageWords(lang), api, error: textOf(failure.code, lang, failure.message) }));
    }
  };
  router.get([PAGE, `${PAGE}/`], openPage);
  router.post([PAGE, `${PAGE}/`], openPage);
  router.use(`${PAGE}/assets`, express.static(`${WEB_DIST}/assets`, { immutable: true, maxAge: '30d' }));

  // A session from the frame SDK's token (the page opened by GET) or a renewal before it expires.
  router.post(`${api}/session`, async (req, res) => {
    const { LANG, member_id } = limitFieldsOf(req.body);
    // No session yet: a refusal is told in the language the page asked for.
    res.locals.lang = langOf(LANG);
    const sessionUserId =
      member_id === undefined ? undefined : pageSessionUserOf(deps, req.headers.authorization, member_id);
    const client = { address: addressOf(req), memberId: member_id, sessionUserId };
    const user = await signInWithinLimits(deps, client, () => verifyPageUser(deps, req.body, LANG));
    res.set('Cache-Control', 'no-store').json(sessionView(deps.config, user));
  });
  const { runAction, inbound, waitTimeout, waitDeadlines, bitrixEvent, portalSetup, maintenance } = deps.queues;
  const board = createQueueBoard(
    [runAction, inbound, waitTimeout, waitDeadlines, bitrixEvent, portalSetup, maintenance],
    { readOnly: !deps.config.QUEUE_BOARD_WRITABLE },
  );
  router.use(
    `${PAGE}/queues/:session`,
    (_req, res, next) => {
      // The board's URLs carry the session: never send them on as a Referer, refused answers too.
      res.set('Referrer-Policy', 'no-referrer');
      next();
    },
    requirePageSession(deps, 'path'),
    (_req, res, next) => {
      const session = sessionOf(res);
      requireAdmin(session);
      if (!mayOpenQueueBoard(deps.config, session.memberId, session.admin))
        throw new AppError('queue_board_forbidden', 'Bull Board is for the app operator only', { kind: 'forbidden' });
      next();
    },
    board,
  );
  router.use(
    api,
    requirePageSession(deps),
    createSettingsLinesRouter(deps),
    createSettingsOpenLinesRouter(deps),
    createSettingsActivityRouter(deps),
  );
  router.use(api, (_req, _res, next) => next(new AppError('not_found', 'no such endpoint', { kind: 'not_found' })));
  router.use([api, `${PAGE}/queues`], createSettingsErrorHandler(deps.log));
  return router;
}
