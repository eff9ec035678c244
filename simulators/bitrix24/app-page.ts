/** A user opening the app's page: the frame POST (portal-ui-wire.md §1.1) and a host page that sends it. */
import type { Request, Response } from 'express';
import { randomHex } from '../shared/random';
import type { PortalState, SimUser } from './state';

/** What the portal POSTs into the app's iframe when a user opens the app. */
export interface PageOpening {
  via: 'post' | 'get';
  /** What the portal answers the frame SDK's `getInitData` with (postMessage handshake). */
  initData: Record<string, unknown>;
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
  /** How the host page loads the app: the portal's form POST (default) or a plain GET (the frame SDK then brings the token). */
  via?: 'post' | 'get';
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
  const user = state.users.get(userId);
  const initData = {
    DOMAIN: base.host,
    PROTOCOL: protocol,
    PATH: '/rest',
    LANG: options.lang ?? state.opts.languageId,
    APP_SID: appSid,
    AUTH_ID: fields.AUTH_ID,
    AUTH_EXPIRES: fields.AUTH_EXPIRES,
    REFRESH_ID: fields.REFRESH_ID,
    MEMBER_ID: fields.member_id,
    IS_ADMIN: user?.admin === true,
    INSTALL: false,
    FIRST_RUN: false,
    PLACEMENT: fields.PLACEMENT,
    PLACEMENT_OPTIONS: {},
    APP_OPTIONS: {},
    USER_OPTIONS: {},
  };
  return {
    via: options.via ?? 'post',
    url: target.toString(),
    fields,
    frameName: `${base.host}|${protocol}|${appSid}`,
    initData,
  };
}

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

/**
 * The portal's side of the frame SDK's postMessage protocol (b24jssdk `frame/message`): the app
 * posts `command[:params]:callback:appSid`; the portal answers `callback:JSON` to the app's
 * origin. It answers getInitData with the opening user's token, applies resizeWindow to the iframe
 * (counted in `window.__resizes`), and acknowledges the rest.
 */
const frameHandshake = (initData: Record<string, unknown>, appOrigin: string) => `
window.__resizes = 0;
const initData = ${JSON.stringify(initData).replace(/</g, '\\u003c')};
window.addEventListener('message', (event) => {
  const frame = document.getElementById('app-frame');
  if (event.origin !== ${JSON.stringify(appOrigin)} || event.source !== frame.contentWindow || typeof event.data !== 'string') return;
  const parts = event.data.split(':');
  if (parts.length < 3 || parts[parts.length - 1] !== initData.APP_SID) return;
  const command = parts[0];
  const callback = parts[parts.length - 2];
  const params = parts.slice(1, -2).join(':');
  let answer = {};
  if (command === 'getInitData') answer = initData;
  if (command === 'refreshAuth') answer = { AUTH_ID: initData.AUTH_ID, AUTH_EXPIRES: initData.AUTH_EXPIRES, REFRESH_ID: initData.REFRESH_ID, MEMBER_ID: initData.MEMBER_ID };
  if (command === 'resizeWindow' && params) {
    const size = JSON.parse(params);
    if (Number(size.height) > 0) frame.style.height = Number(size.height) + 'px';
    window.__resizes += 1;
  }
  frame.contentWindow.postMessage(callback + ':' + JSON.stringify(answer), event.origin);
});`;

/** The portal's page around the app: an iframe the opening form is POSTed into (as Bitrix24 does), or loaded by GET. */
export function hostPageHtml(opening: PageOpening): string {
  const inputs = Object.entries(opening.fields)
    .map(([k, v]) => `<input type="hidden" name="${escapeHtml(k)}" value="${escapeHtml(v)}">`)
    .join('');
  const post = opening.via === 'post';
  const src = post ? '' : ` src="${escapeHtml(opening.url)}"`;
  return (
    '<!doctype html><html><head><meta charset="utf-8"><title>Bitrix24 simulator</title></head>' +
    '<body style="margin:0"><div id="portal-header">Bitrix24 (simulator)</div>' +
    (post
      ? `<form id="open-app" method="POST" action="${escapeHtml(opening.url)}" target="${escapeHtml(opening.frameName)}">${inputs}</form>`
      : '') +
    `<iframe id="app-frame" name="${escapeHtml(opening.frameName)}"${src} style="width:100%;height:900px;border:0"></iframe>` +
    `<script>${frameHandshake(opening.initData, new URL(opening.url).origin)}` +
    `${post ? 'document.getElementById("open-app").submit();' : ''}</script></body></html>`
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
