/** A user opening the app's page: the frame POST (portal-ui-wire.md §1.1) and a host page that sends it. */
import type { Request, Response } from 'express';
import { randomHex } from '../shared/random';
import type { PortalState, SimUser } from './state';

/** What the portal POSTs into the app's iframe when a user opens the app. */
export interface PageOpening {
  /** The app URL with DOMAIN, PROTOCOL, LANG and APP_SID in the query. */
  url: string;
  /** The form fields (AUTH_ID of the opening user, member_id, PLACEMENT…). */
  fields: Record<string, string>;
  /** The iframe's name, as the portal sets it (`DOMAIN|PROTOCOL|APP_SID`, read by the frame SDK). */
  frameName: string;
}

/** Options of a page opening. */
export interface OpenPageOptions {
  url: string;
  /** The user who opens it (default the installing user); unknown ids are added as non-admins. */
  userId?: number;
  lang?: 'ru' | 'en';
  placement?: string;
}

/** Adds or changes a portal user. */
export function upsertUser(state: PortalState, user: Partial<SimUser> & { id: number }): SimUser {
  const known = state.users.get(user.id);
  const next: SimUser = {
    id: user.id,
    admin: user.admin ?? known?.admin ?? false,
    name: user.name ?? known?.name ?? `User${user.id}`,
    lastName: user.lastName ?? known?.lastName ?? 'Simulator',
    active: user.active ?? known?.active ?? true,
  };
  state.users.set(user.id, next);
  return next;
}

/** The POST the portal makes when `userId` opens the app at `url` (a fresh AUTH_ID of that user). */
export function pageOpening(state: PortalState, options: OpenPageOptions): PageOpening {
  const userId = options.userId ?? state.opts.installingUserId;
  if (!state.users.has(userId)) upsertUser(state, { id: userId });
  const target = new URL(options.url);
  const base = new URL(state.baseUrl());
  const protocol = base.protocol === 'https:' ? '1' : '0';
  const appSid = randomHex(32);
  target.searchParams.set('DOMAIN', base.host);
  target.searchParams.set('PROTOCOL', protocol);
  target.searchParams.set('LANG', options.lang ?? state.opts.languageId);
  target.searchParams.set('APP_SID', appSid);
  const fields = {
    AUTH_ID: state.issueUserToken(userId),
    AUTH_EXPIRES: String(state.opts.accessTokenTtlSec),
    REFRESH_ID: randomHex(32),
    SERVER_ENDPOINT: 'https://oauth.bitrix.info/rest/',
    member_id: state.opts.memberId,
    status: 'L',
    PLACEMENT: options.placement ?? 'DEFAULT',
    PLACEMENT_OPTIONS: '{"any":"28\\/"}',
  };
  return { url: target.toString(), fields, frameName: `${base.host}|${protocol}|${appSid}` };
}

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

/** The portal's page around the app: an iframe the opening form is POSTed into (as Bitrix24 does). */
export function hostPageHtml(opening: PageOpening): string {
  const inputs = Object.entries(opening.fields)
    .map(([k, v]) => `<input type="hidden" name="${escapeHtml(k)}" value="${escapeHtml(v)}">`)
    .join('');
  return (
    '<!doctype html><html><head><meta charset="utf-8"><title>Bitrix24 simulator</title></head>' +
    '<body style="margin:0"><div id="portal-header">Bitrix24 (simulator)</div>' +
    `<form id="open-app" method="POST" action="${escapeHtml(opening.url)}" target="${escapeHtml(opening.frameName)}">${inputs}</form>` +
    `<iframe id="app-frame" name="${escapeHtml(opening.frameName)}" style="width:100%;height:900px;border:0"></iframe>` +
    '<script>document.getElementById("open-app").submit();</script></body></html>'
  );
}

/** Host pages prepared by `pageHostUrl`, served once each at `/app-host/<id>`. */
export function createHostPages(state: PortalState) {
  const pages = new Map<string, PageOpening>();
  return {
    prepare(options: OpenPageOptions): string {
      const id = randomHex(16);
      pages.set(id, pageOpening(state, options));
      return `${state.baseUrl()}/app-host/${id}`;
    },
    serve(req: Request, res: Response): void {
      const id = String(req.params.id ?? '');
      const opening = pages.get(id);
      if (!opening) {
        res.status(404).type('text').send('no such page');
        return;
      }
      pages.delete(id);
      res.type('html').send(hostPageHtml(opening));
    },
  };
}
