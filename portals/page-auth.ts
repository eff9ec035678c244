import { z } from 'zod';
import { fetchProfile, type ProfileUser } from '../bitrix/user-profile';
import type { AddressPolicy } from '../lib/address-policy';
import type { Clock } from '../lib/clock';
import { AppError } from '../lib/errors/app-error';
import { type Lang, langOf } from '../lib/i18n/catalogue';
import type { Portal, PortalStore } from '../store/portal-store';
import { mintPageSession } from './page-session';

export interface PageAuthDeps {
  portals: Pick<PortalStore, 'get'>;
  /** The HMAC key of page sessions. */
  pageSessionKey: Buffer;
  clock: Clock;
  /** Who a user token belongs to, asked at the stored portal's address (default: `profile` over HTTP). */
  profile?: (clientEndpoint: string, authId: string) => Promise<ProfileUser>;
  /** The address policy, whose pool the default `profile` connects through (it applies the policy when connecting). */
  addresses: Pick<AddressPolicy, 'dispatcher'>;
}

/**
 * What a page opening (or the page's renewal) offers: only `member_id` and `AUTH_ID` are used.
 * `DOMAIN` and `SERVER_ENDPOINT` are never a target (SSRF, token replay: portal-ui-wire.md §1.2).
 */
export const pageOpeningSchema = z
  .object({
    member_id: z.string().min(1).max(64),
    AUTH_ID: z.string().min(1).max(512),
  })
  .loose();

/** A verified page user with their session token. */
export interface PageUser {
  portal: Portal;
  user: ProfileUser;
  lang: Lang;
  session: string;
}

/**
 * Verifies a page opening (portal-ui-wire.md §1.2): the portal is looked up by `member_id` in our
 * store (unknown → 403), then `profile` with `AUTH_ID` at the portal's STORED address must succeed
 * and name the user (refused → 401); the user's `ADMIN` flag decides whether the session may
 * change anything. Shared by the settings page and the placements that reuse its session.
 */
export async function verifyPageUser(deps: PageAuthDeps, body: unknown, pageLang?: string): Promise<PageUser> {
  const opening = pageOpeningSchema.safeParse(body);
  if (!opening.success)
    throw new AppError('page_auth_missing', 'open the app from Bitrix24 (member_id and AUTH_ID are required)', {
      kind: 'unauthorized',
    });
  const portal = await deps.portals.get(opening.data.member_id);
  if (!portal)
    throw new AppError('portal_not_installed', 'the app is not installed on this portal', { kind: 'forbidden' });
  const user = deps.profile
    ? await deps.profile(portal.clientEndpoint, opening.data.AUTH_ID)
    : await fetchProfile(portal.clientEndpoint, opening.data.AUTH_ID, deps.addresses.dispatcher);
  // The page's LANG (the user's interface language), else the portal's.
  const lang = langOf(pageLang ?? portal.languageId);
  const session = mintPageSession(
    deps.pageSessionKey,
    { memberId: portal.memberId, userId: user.id, admin: user.admin, name: user.name, lang },
    deps.clock.now(),
  );
  return { portal, user, lang, session };
}
