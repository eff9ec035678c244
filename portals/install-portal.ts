import { type ConfirmInstallOptions, confirmInstallTokens, type InstallConfirmation } from '../bitrix/confirm-install';
import type { PortalClient, PortalClientFactory } from '../bitrix/portal-client';
import type { AddressPolicy } from '../lib/address-policy';
import type { Clock } from '../lib/clock';
import { AppError } from '../lib/errors/app-error';
import type { Logger } from '../lib/logger';
import type { Queues } from '../queues/create-queues';
import type { Portal, PortalStore } from '../store/portal-store';
import { bindInstallEvents, installingUserId } from './install-page';

export interface InstallPortalDeps {
  portals: Pick<PortalStore, 'get' | 'save'>;
  /** `probe` checks offered tokens; the client reads the installing user and binds events. */
  bitrix: Pick<PortalClientFactory, 'probe'> & ((memberId: string) => Pick<PortalClient, 'call' | 'batch'>);
  queues: Pick<Queues, 'enqueuePortalSetup'>;
  /** The app's OAuth credentials and server: it confirms portals the app does not know at that address. */
  oauth: Omit<ConfirmInstallOptions, 'clock'>;
  /** Governs the portal address an install names (ALLOW_PRIVATE_ADDRESSES). */
  addresses: AddressPolicy;
  /** The app's public base URL: the install page binds events to its events door. */
  publicUrl: string;
  clock: Clock;
  log: Logger;
  /**
   * Registers robots, activities and events right away (the install page shows what it did); without
   * it, or when it fails, registration is queued (the portal-setup job retries it).
   */
  registerNow?: (memberId: string) => Promise<InstallProgress>;
}

/** What registering did, for the install page. */
export interface InstallProgress {
  robots: number;
  activities: number;
}

/** The outcome of an install: the stored portal and, when the page registered right away, what it did. */
export interface InstallOutcome {
  portal: Portal;
  /** null: registration was queued (an event, a failed attempt on the page) or nothing was installed. */
  progress: InstallProgress | null;
  /** The page was opened on a portal where the app is already installed: nothing was done. */
  alreadyInstalled: boolean;
}

/** How the install arrived: the ONAPPINSTALL event, or the install page's POST (no application token). */
export type InstallVia = 'event' | 'page';

const hostOf = (url: string) => new URL(url).host;

/** The OAuth server's answer vouches for the portal: same member, and the address the install came from. */
export function confirmsMove(
  offered: Pick<Portal, 'memberId' | 'clientEndpoint'>,
  oauth: { memberId: string; clientEndpoint: string },
): boolean {
  return oauth.memberId === offered.memberId && hostOf(oauth.clientEndpoint) === hostOf(offered.clientEndpoint);
}

const notConfirmed = (why: string) => new AppError('install_not_verified', why, { kind: 'forbidden' });

/**
 * A portal the app does not know at this address (new, or moved): only Bitrix24's OAuth server can
 * vouch for it. Its answer to the offered refresh token names the member and the REST address; the
 * portal is stored with those and the NEW tokens (the exchange spent the offered refresh token).
 */
async function confirmWithOAuthServer(deps: InstallPortalDeps, offered: Portal, moved: boolean): Promise<Portal> {
  let confirmed: InstallConfirmation;
  try {
    confirmed = await confirmInstallTokens(offered, { ...deps.oauth, clock: deps.clock });
  } catch (error) {
    deps.log.warn({ memberId: offered.memberId, moved, err: error }, 'install not confirmed by the OAuth server');
    if (error instanceof AppError && error.retryable) throw error;
    throw moved
      ? new AppError(
          'portal_mismatch',
          'this member_id is installed at another address and the OAuth server did not confirm the move',
          { kind: 'forbidden' },
        )
      : notConfirmed('the OAuth server did not confirm this install');
  }
  // A new portal is wherever the OAuth server says (an admin may browse it by another name); a
  // portal that moved must be confirmed at the very address the install came from.
  const vouched = moved ? confirmsMove(offered, confirmed) : confirmed.memberId === offered.memberId;
  if (!vouched) {
    deps.log.warn({ memberId: offered.memberId, moved }, 'the OAuth server names another member or address');
    throw moved
      ? new AppError('portal_mismatch', 'the OAuth server places this member at another address', {
          kind: 'forbidden',
        })
      : notConfirmed('the OAuth server names another member or address for these tokens');
  }
  // The address the app will call is the one the OAuth server named: it must be allowed too.
  const refusal = await deps.addresses.refusal(confirmed.clientEndpoint);
  if (refusal) throw new AppError('address_not_allowed', `client_endpoint: ${refusal}`, { kind: 'forbidden' });
  return {
    ...offered,
    // The portal's domain is its REST host; the answer's own `domain` is the OAuth server's.
    domain: hostOf(confirmed.clientEndpoint),
    clientEndpoint: confirmed.clientEndpoint,
    serverEndpoint: confirmed.serverEndpoint ?? offered.serverEndpoint,
    accessToken: confirmed.accessToken,
    refreshToken: confirmed.refreshToken,
    expiresAt: confirmed.expiresAt,
    scope: confirmed.scope ?? offered.scope,
  };
}

/**
 * Stores the portal (tokens sealed) and queues registration of robots, activities and events.
 * Trust: the portal address the request names must be allowed (no private address unless
 * ALLOW_PRIVATE_ADDRESSES); a portal known at that address proves itself with the offered token
 * at its stored address (as before); any other is confirmed by the OAuth server first, and the
 * offered address is never called before that. The install page's POST also reads the installing
 * user and binds ONAPPINSTALL and the app's events before its page can call installFinish.
 */
export async function installPortal(
  deps: InstallPortalDeps,
  offered: Portal,
  via: InstallVia = 'event',
): Promise<InstallOutcome> {
  const refusal = await deps.addresses.refusal(offered.clientEndpoint);
  if (refusal) {
    deps.log.warn({ memberId: offered.memberId, refusal }, 'install names a portal address the app may not call');
    throw new AppError('address_not_allowed', `client_endpoint: ${refusal}`, { kind: 'forbidden' });
  }
  const existing = await deps.portals.get(offered.memberId);
  const knownHere = existing !== null && hostOf(existing.clientEndpoint) === hostOf(offered.clientEndpoint);
  let portal: Portal;
  if (existing && knownHere) {
    // Known here: keep the addresses confirmed at its first install. The token must work there and
    // belong to this app (a forged install has no valid token for a real portal).
    portal = {
      ...offered,
      domain: existing.domain,
      clientEndpoint: existing.clientEndpoint,
      serverEndpoint: existing.serverEndpoint,
    };
    const probe = await deps.bitrix.probe(portal);
    if (!probe) throw notConfirmed("the install tokens do not work at the portal's REST address");
    // The app's own page, opened by a user of a portal where the app is installed: nothing to install.
    if (via === 'page' && probe.installed && existing.applicationToken !== '') {
      deps.log.debug({ memberId: existing.memberId }, 'app page opened on an installed portal');
      return { portal: existing, progress: null, alreadyInstalled: true };
    }
  } else {
    // Tokens the OAuth server just exchanged with this app's secret are this app's: no probe (it
    // could only lose the fresh pair, the offered refresh token being spent).
    portal = await confirmWithOAuthServer(deps, offered, existing !== null);
  }
  const merged: Portal = existing
    ? {
        ...existing,
        ...portal,
        applicationToken: portal.applicationToken || existing.applicationToken,
        // No user named (the page's POST): a completed install keeps its installer — the same POST
        // comes whenever someone opens the app; otherwise `profile` tells who is installing.
        userId: portal.userId || (existing.applicationToken ? existing.userId : 0),
        installedAt: existing.installedAt,
      }
    : portal;
  await deps.portals.save(merged);
  const installed = merged.userId ? merged : await withInstallingUser(deps, merged);
  if (via === 'page') await bindInstallEvents(deps.bitrix(installed.memberId), deps.publicUrl);
  // ONAPPINSTALL after the install page only brings the application token: the page's setup registers.
  const completesPage = via === 'event' && existing?.applicationToken === '' && installed.applicationToken !== '';
  const progress = completesPage ? null : await register(deps, installed, via, existing !== null);
  deps.log.info(
    { memberId: installed.memberId, domain: installed.domain, update: Boolean(existing), via },
    'portal installed',
  );
  return { portal: installed, progress, alreadyInstalled: false };
}

/** The page registers right away when it can (to show the result); anything else, or a failure, is queued. */
async function register(
  deps: InstallPortalDeps,
  portal: Portal,
  via: InstallVia,
  update: boolean,
): Promise<InstallProgress | null> {
  if (via === 'page' && deps.registerNow) {
    try {
      return await deps.registerNow(portal.memberId);
    } catch (error) {
      deps.log.warn({ memberId: portal.memberId, err: error }, 'registration from the install page failed: queued');
    }
  }
  await deps.queues.enqueuePortalSetup(
    { memberId: portal.memberId, reason: update ? 'update' : 'install' },
    `${portal.applicationToken}|${deps.clock.now()}`,
  );
  return null;
}

/** The install named no user (the install page): the token's own user is installing the app. */
async function withInstallingUser(deps: InstallPortalDeps, portal: Portal): Promise<Portal> {
  const userId = await installingUserId(deps.bitrix(portal.memberId));
  const next = { ...portal, userId };
  await deps.portals.save(next);
  return next;
}
