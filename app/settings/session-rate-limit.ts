import { createHmac } from 'node:crypto';
import type { Clock } from '../../lib/clock';
import { RateLimitedError } from '../../lib/errors/rate-limited-error';
import { randomId } from '../../lib/hash';
import type { Logger } from '../../lib/logger';
import type { PageUser } from '../../portals/page-auth';
import type { RedisClient } from '../../redis/connect';
import type { RedisKeys } from '../../redis/keys';
import { rateScripts } from '../../redis/rate-scripts';
import { clientNetworkOf } from './client-network';

/** A window: at most `limit` requests in any `windowMs`. */
export interface RequestWindow {
  limit: number;
  windowMs: number;
}

export interface SessionRequestLimits {
  perAddress: RequestWindow;
  perPortal: RequestWindow;
  /** Renewals by one page session's user (portal + user id) skipping the portal's window, from any address: see takeSessionRequest. */
  perSessionUser: RequestWindow;
}

/**
 * The settings page's limits. Each page opening or session request costs a `profile` call at the portal, out of its
 * REST budget (2 calls/s, bursts of 50) that its robots need too: per client address, against one
 * client hammering the doors; per portal (the member_id the request names), against many, kept to
 * a sixth of the portal's budget. A page opening asks once, a renewal once per session.
 */
export const SESSION_REQUEST_LIMITS: SessionRequestLimits = {
  perAddress: { limit: 10, windowMs: 60_000 },
  perPortal: { limit: 20, windowMs: 60_000 },
  // Each open tab renews its session every 20 min (web/src/frame.ts), before it ends (30 min): tabs
  // renewing in one minute (after a sleep) may pass this, and then go the portal's way (takeSessionRequest).
  perSessionUser: { limit: 5, windowMs: 60_000 },
};

/**
 * How long a client address a user of the portal signed in from stays known to it (each sign-in
 * renews it): a month, so an admin who opens the settings now and then is not locked out by a
 * flood that names their portal.
 */
export const KNOWN_CLIENT_MS = 30 * 24 * 3600_000;

export interface SessionRateLimitDeps {
  redis: RedisClient;
  keys: RedisKeys;
  clock: Clock;
  /** Keys the client-address digests (below): derived for that alone, not the page sessions' key. */
  clientAddressKey: Buffer;
  /** Default SESSION_REQUEST_LIMITS. */
  sessionLimits?: SessionRequestLimits;
  log: Pick<Logger, 'warn'>;
}

/** Who asks for a session: the client's address (req.ip, see TRUST_PROXY) and the member_id the request names, if any. */
export interface SessionClient {
  address: string;
  memberId: string | undefined;
  /** The user of an unexpired page session of that portal it carries (the page renewing it): see takeSessionRequest. */
  sessionUserId?: number;
}

/**
 * The client's network (client-network.ts) as its keys name it: an HMAC under a key of the app's,
 * not a plain hash, since the known marks tie a portal to its users' addresses for a month and the
 * IPv4 space is small enough to hash whole.
 */
export function clientDigestOf(deps: Pick<SessionRateLimitDeps, 'clientAddressKey'>, address: string): string {
  const network = clientNetworkOf(address);
  return createHmac('sha256', deps.clientAddressKey).update(`session-client\0${network}`).digest('hex').slice(0, 40);
}

/**
 * Takes one session request from the client address's window, then from the portal's (when the
 * request names one), in Redis so every web process shares them; times from the injected clock. A
 * request the address window refuses counts in neither; one the portal window refuses still counts
 * for its address (it was made).
 *
 * The portal's window counts requests whose member_id nobody has verified yet (verifying is the
 * `profile` call it rations), so anyone can fill it by naming the portal. A client address a user
 * of the portal signed in from (noted by `signInWithinLimits`) skips it: such a client held a valid
 * user token of that portal, which spends the portal's REST budget directly anyway, so the window
 * guards nothing against it, and its own address window still bounds what it makes the app spend.
 * Forged requests cannot make an address known (that takes a token the portal accepts), nor borrow
 * one (the address is the TCP peer's, or what a trusted proxy says: TRUST_PROXY). A page renewing
 * its session (`sessionUserId`: it signed in within the session's life) skips it too, from any
 * address: an admin whose address changed keeps the page, and that address becomes known. Its
 * renewals take from a window of the session's user instead (perSessionUser, a few a minute), so a
 * session that leaked (it travels in Bull Board's URLs, and so in access logs) buys at most that
 * many `profile` calls a minute from however many addresses its holder controls, not one per
 * address window. Past that window a renewal is any other request: from a known address it passes
 * (so whoever fills the user's window with a leaked session, or the user's own tabs renewing
 * together after a sleep, never keeps the user out), else it takes from the portal's window (the
 * leaked session's most, then: the user's window plus the portal's). An admin at an address the
 * portal has not seen, without a session, shares the portal's window with everyone else.
 */
export async function takeSessionRequest(deps: SessionRateLimitDeps, from: SessionClient): Promise<void> {
  const limits = deps.sessionLimits ?? SESSION_REQUEST_LIMITS;
  const now = deps.clock.now();
  const id = randomId(9);
  const client = clientDigestOf(deps, from.address);
  const byAddress = deps.keys.sessionRateByAddress(client);
  const addressWait = await rateScripts.takeWindowSlot(deps.redis, byAddress, limits.perAddress, now, id);
  if (addressWait > 0)
    throw new RateLimitedError(addressWait, `too many session requests from this address: retry in ${addressWait} ms`);
  if (from.memberId === undefined) return;
  if (from.sessionUserId !== undefined) {
    const renewals = deps.keys.sessionRenewals(from.memberId, from.sessionUserId);
    // Past the user's window, a renewal is asked what any request is (known address, else the
    // portal's window), never refused for the session alone: its holder can fill that window.
    if ((await rateScripts.takeWindowSlot(deps.redis, renewals, limits.perSessionUser, now, id)) === 0) return;
  }
  const portalWait = await rateScripts.takePortalSessionSlot(
    deps.redis,
    {
      known: deps.keys.sessionKnownClient(from.memberId, client),
      window: deps.keys.sessionRateByPortal(from.memberId),
    },
    limits.perPortal,
    now,
    id,
  );
  if (typeof portalWait === 'number')
    throw new RateLimitedError(portalWait, `too many session requests from this portal: retry in ${portalWait} ms`);
}

/**
 * A page opening or session request within the limits (`takeSessionRequest`), verified by `verify`;
 * once the portal has accepted the user's token, the client's address is known to that portal (the
 * verified one, whatever the request named) for KNOWN_CLIENT_MS from now.
 */
export async function signInWithinLimits(
  deps: SessionRateLimitDeps,
  from: SessionClient,
  verify: () => Promise<PageUser>,
): Promise<PageUser> {
  await takeSessionRequest(deps, from);
  const user = await verify();
  const known = deps.keys.sessionKnownClient(user.portal.memberId, clientDigestOf(deps, from.address));
  // Until when, on the injected clock (the window's); the TTL only clears the key away after. Only a
  // help for later sign-ins: a failed write must not fail this verified one (a blip between two calls).
  try {
    await deps.redis.set(known, String(deps.clock.now() + KNOWN_CLIENT_MS), 'PX', KNOWN_CLIENT_MS);
  } catch (error) {
    deps.log.warn({ err: error }, 'could not remember the client address of a sign-in');
  }
  return user;
}
