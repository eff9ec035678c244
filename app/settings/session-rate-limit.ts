import type { Clock } from '../../lib/clock';
import { AppError } from '../../lib/errors/app-error';
import { digest, randomId } from '../../lib/hash';
import type { RedisClient } from '../../redis/connect';
import type { RedisKeys } from '../../redis/keys';
import { rateScripts } from '../../redis/rate-scripts';

/** A window: at most `limit` requests in any `windowMs`. */
export interface RequestWindow {
  limit: number;
  windowMs: number;
}

export interface SessionRequestLimits {
  perAddress: RequestWindow;
  perPortal: RequestWindow;
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
};

export interface SessionRateLimitDeps {
  redis: RedisClient;
  keys: RedisKeys;
  clock: Clock;
  /** Default SESSION_REQUEST_LIMITS. */
  sessionLimits?: SessionRequestLimits;
}

/** 429 `rate_limited` with the wait (Retry-After). */
export class SessionRateLimitedError extends AppError {
  constructor(waitMs: number, by: 'address' | 'portal') {
    super('rate_limited', `too many session requests from this ${by}: retry in ${waitMs} ms`, {
      kind: 'rate_limited',
      retryAfterMs: waitMs,
    });
  }
}

/**
 * Takes one session request from the client address's window, then from the portal's (when the
 * request names one), in Redis so every web process shares them; times from the injected clock. A
 * request the address window refuses counts in neither; one the portal window refuses still counts
 * for its address (it was made).
 */
export async function takeSessionRequest(
  deps: SessionRateLimitDeps,
  from: { address: string; memberId: string | undefined },
): Promise<void> {
  const limits = deps.sessionLimits ?? SESSION_REQUEST_LIMITS;
  const now = deps.clock.now();
  const id = randomId(9);
  const byAddress = deps.keys.sessionRateByAddress(digest(from.address));
  const addressWait = await rateScripts.takeWindowSlot(deps.redis, byAddress, limits.perAddress, now, id);
  if (addressWait > 0) throw new SessionRateLimitedError(addressWait, 'address');
  if (from.memberId === undefined) return;
  const byPortal = deps.keys.sessionRateByPortal(from.memberId);
  const portalWait = await rateScripts.takeWindowSlot(deps.redis, byPortal, limits.perPortal, now, id);
  if (portalWait > 0) throw new SessionRateLimitedError(portalWait, 'portal');
}
