/** Portal → app POSTs: ONAPPINSTALL / ONAPPUNINSTALL and CRM update events (form-encoded, PHP style). */

import { postForm } from '../shared/http-post';
import { encodePhpForm } from '../shared/php-form';
import { randomHex } from '../shared/random';
import type { PortalState } from './state';
import type { DeliveryResult, PortalTokens } from './types';

/** The full `auth[...]` block with tokens (install event, robot calls). */
export function fullAuth(t: PortalTokens, applicationToken: string): Record<string, unknown> {
  return {
    access_token: t.accessToken,
    expires: String(t.expires),
    expires_in: String(t.expiresIn),
    scope: t.scope,
    domain: t.domain,
    server_endpoint: t.serverEndpoint,
    status: t.status,
    client_endpoint: t.clientEndpoint,
    member_id: t.memberId,
    user_id: String(t.userId),
    refresh_token: t.refreshToken,
    application_token: applicationToken,
  };
}

/** The token-less `auth[...]` block of events caused by robots / agents. */
export function tokenlessAuth(state: PortalState): Record<string, unknown> {
  const base = state.baseUrl();
  return {
    domain: state.opts.domain,
    client_endpoint: `${base}/rest/`,
    server_endpoint: `${base}/rest/`,
    member_id: state.opts.memberId,
    application_token: state.applicationToken,
  };
}

const nowSec = () => String(Math.floor(Date.now() / 1000));

/** POSTs ONAPPINSTALL with fresh tokens to `url` (the install callback, or a handler bound to the event). */
export async function postInstall(
  state: PortalState,
  url: string,
  t: PortalTokens,
  handlerId = 1,
): Promise<DeliveryResult> {
  const body = encodePhpForm({
    event: 'ONAPPINSTALL',
    event_handler_id: String(handlerId),
    data: { VERSION: '1', ACTIVE: 'Y', INSTALLED: 'Y', LANGUAGE_ID: state.opts.languageId },
    ts: nowSec(),
    auth: fullAuth(t, state.applicationToken),
  });
  const res = await postForm(url, body);
  return { url, ...res };
}

/**
 * The install page's POST ("simple way", bitrix24-wire.md §5): the portal in the query, the page's
 * tokens in the form body, and no application token. DOMAIN is where the portal's REST lives (the
 * simulator's own host:port, over http: PROTOCOL=0).
 */
export async function postInstallPage(state: PortalState, url: string, t: PortalTokens): Promise<DeliveryResult> {
  const target = new URL(url);
  const base = new URL(state.baseUrl());
  target.searchParams.set('DOMAIN', base.host);
  target.searchParams.set('PROTOCOL', base.protocol === 'https:' ? '1' : '0');
  target.searchParams.set('LANG', state.opts.languageId);
  target.searchParams.set('APP_SID', randomHex(32));
  const body = encodePhpForm({
    AUTH_ID: t.accessToken,
    AUTH_EXPIRES: String(t.expiresIn),
    REFRESH_ID: t.refreshToken,
    member_id: t.memberId,
    status: t.status,
    PLACEMENT: 'DEFAULT',
    PLACEMENT_OPTIONS: '{"any":"28\\/"}',
  });
  const res = await postForm(target.toString(), body);
  return { url: target.toString(), ...res };
}

/** What `BX24.installFinish()` sets off: ONAPPINSTALL (with the application token) to every handler bound to it. */
export async function deliverInstallFinish(state: PortalState): Promise<DeliveryResult[]> {
  state.installFinished = true;
  const targets = state.bindings.filter((b) => b.event === 'ONAPPINSTALL' && !b.offline);
  return Promise.all(targets.map((b) => postInstall(state, b.handler, state.tokens(), b.id)));
}

/** POSTs ONAPPUNINSTALL (no tokens) to `url`. */
export async function postUninstall(state: PortalState, url: string, clean: boolean): Promise<DeliveryResult> {
  const body = encodePhpForm({
    event: 'ONAPPUNINSTALL',
    event_handler_id: '2',
    data: { LANGUAGE_ID: state.opts.languageId, CLEAN: clean ? '1' : '0' },
    ts: nowSec(),
    auth: tokenlessAuth(state),
  });
  const res = await postForm(url, body);
  return { url, ...res };
}

/** Delivers an event to every online handler bound to it; returns one result per handler. */
export async function deliverEvent(
  state: PortalState,
  event: string,
  data: Record<string, unknown>,
): Promise<DeliveryResult[]> {
  const targets = state.bindings.filter((b) => b.event === event && !b.offline);
  return Promise.all(
    targets.map(async (b) => {
      const body = encodePhpForm({
        event,
        event_handler_id: String(b.id),
        data,
        ts: nowSec(),
        auth: tokenlessAuth(state),
      });
      const res = await postForm(b.handler, body);
      return { url: b.handler, ...res };
    }),
  );
}
