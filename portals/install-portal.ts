import type { PortalClientFactory } from '../bitrix/portal-client';
import { exchangeRefreshToken, type TokenRefresherOptions } from '../bitrix/refresh-tokens';
import type { Clock } from '../lib/clock';
import { AppError } from '../lib/errors/app-error';
import type { Logger } from '../lib/logger';
import type { Queues } from '../queues/create-queues';
import type { Portal, PortalStore } from '../store/portal-store';

export interface InstallPortalDeps {
  portals: Pick<PortalStore, 'get' | 'save'>;
  bitrix: Pick<PortalClientFactory, 'probe'>;
  queues: Pick<Queues, 'enqueuePortalSetup'>;
  /** The app's OAuth credentials and server, to confirm a portal that moved. */
  oauth: Pick<TokenRefresherOptions, 'clientId' | 'clientSecret' | 'oauthUrl'>;
  clock: Clock;
  log: Logger;
}

const hostOf = (url: string) => new URL(url).host;

/** The OAuth server's answer vouches for the move: same member, and the address the install came from. */
export function confirmsMove(
  offered: Pick<Portal, 'memberId' | 'clientEndpoint'>,
  oauth: { memberId: string; clientEndpoint: string },
): boolean {
  return oauth.memberId === offered.memberId && hostOf(oauth.clientEndpoint) === hostOf(offered.clientEndpoint);
}

/** Confirms a moved portal with the trusted OAuth server (its answer names member and address). */
async function confirmMovedPortal(deps: InstallPortalDeps, portal: Portal): Promise<Portal> {
  try {
    const answer = await exchangeRefreshToken(portal, { ...deps.oauth, log: deps.log, clock: deps.clock });
    const { confirmedMemberId, ...refreshed } = answer;
    if (confirmsMove(portal, { memberId: confirmedMemberId, clientEndpoint: refreshed.clientEndpoint }))
      return refreshed;
  } catch (error) {
    deps.log.warn({ memberId: portal.memberId, err: error }, 'moved portal not confirmed');
  }
  throw new AppError(
    'portal_mismatch',
    'this member_id is installed at another address and the OAuth server did not confirm the move',
    { kind: 'forbidden' },
  );
}

/** Stores the portal (tokens sealed) and queues registration of robots, activities and events. */
export async function installPortal(deps: InstallPortalDeps, offered: Portal): Promise<void> {
  let portal = offered;
  const existing = await deps.portals.get(portal.memberId);
  // The offered token must work at the portal's own address: a forged install has no valid token
  // for a real portal, so it can neither take one over nor learn anything.
  if (!(await deps.bitrix.probe(portal))) {
    throw new AppError('install_not_verified', "the install tokens do not work at the portal's REST address", {
      kind: 'forbidden',
    });
  }
  if (existing && hostOf(existing.clientEndpoint) !== hostOf(portal.clientEndpoint)) {
    // A portal that changed its address: only the OAuth server can vouch that it is the same one.
    portal = await confirmMovedPortal(deps, portal);
  }
  const merged: Portal = existing
    ? {
        ...existing,
        ...portal,
        applicationToken: portal.applicationToken || existing.applicationToken,
        installedAt: existing.installedAt,
      }
    : portal;
  await deps.portals.save(merged);
  const installKey = `${merged.applicationToken}|${deps.clock.now()}`;
  await deps.queues.enqueuePortalSetup(
    { memberId: merged.memberId, reason: existing ? 'update' : 'install' },
    installKey,
  );
  deps.log.info({ memberId: merged.memberId, domain: merged.domain, update: Boolean(existing) }, 'portal installed');
}
