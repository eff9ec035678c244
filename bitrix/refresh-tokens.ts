import { z } from 'zod';
import type { Clock } from '../lib/clock';
import { ActionError, AppError } from '../lib/errors/app-error';
import { randomId } from '../lib/hash';
import type { Logger } from '../lib/logger';
import type { Metrics } from '../lib/metrics';
import type { RedisClient } from '../redis/connect';
import type { RedisKeys } from '../redis/keys';
import { scripts } from '../redis/scripts';
import type { Portal, PortalStore } from '../store/portal-store';
import { BitrixError } from './bitrix-error';

const refreshAnswerSchema = z.object({
  access_token: z.string().min(1),
  refresh_token: z.string().min(1),
  expires: z.coerce.number().optional(),
  expires_in: z.coerce.number().default(3600),
  client_endpoint: z.string().optional(),
  server_endpoint: z.string().optional(),
  member_id: z.string().optional(),
});

const refreshErrorSchema = z.object({ error: z.string(), error_description: z.string().optional() });

/** At most one refresh per portal in this long, across all processes. */
export const REFRESH_FLOOR_MS = 10_000;
/** At most one "reinstall the app" warning per portal in this long. */
const WARN_EVERY_MS = 60_000;
/** The floor hash is only garbage: it may go once no period it holds can still be running. */
const FLOOR_TTL_MS = 3_600_000;

export interface TokenRefresherOptions {
  redis: RedisClient;
  keys: RedisKeys;
  portals: Pick<PortalStore, 'get' | 'save' | 'setNeedsReinstall'>;
  clientId: string;
  clientSecret: string;
  /** Overrides the OAuth server derived from the portal's server_endpoint. */
  oauthUrl?: string;
  log: Logger;
  clock: Clock;
  metrics: Pick<Metrics, 'portalsNeedingReinstall'>;
  lockMs?: number;
}

/** The OAuth server refused or failed a refresh; `oauthError` is its `error` ('' when it named none). */
export class TokenRefreshError extends AppError {
  constructor(
    readonly oauthError: string,
    message: string,
  ) {
    // As before: anything but a refused refresh token (handled by the refresher) may pass.
    super('token_refresh_failed', message, { retryable: true });
  }
}

/** What the robot gets from a portal that refuses even fresh tokens: nothing but a reinstall helps. */
export function needsReinstallError(): ActionError {
  return new ActionError('portal_needs_reinstall');
}

/** Bitrix24's regional OAuth servers: the client secret is sent nowhere else (unless configured). */
export const knownOAuthHosts = ['oauth.bitrix.info', 'oauth.bitrix24.tech'];

/**
 * The OAuth token endpoint for a portal: the configured override, else `<server_endpoint without
 * /rest/>/oauth/token/` when that is a known Bitrix24 OAuth server — a forged install must not
 * be able to point the refresh (which carries the client secret) at another host.
 */
export function oauthTokenUrl(portal: Pick<Portal, 'serverEndpoint'>, override?: string): string {
  if (override) return `${override.replace(/\/+$/, '')}/oauth/token/`;
  const server = new URL(portal.serverEndpoint);
  if (server.protocol !== 'https:' || !knownOAuthHosts.includes(server.hostname)) {
    throw new Error(
      `refusing to refresh tokens at ${server.host}: not a Bitrix24 OAuth server (set B24_OAUTH_URL to allow it)`,
    );
  }
  return `https://${server.hostname}/oauth/token/`;
}

/**
 * Refresh tokens are single-use, so one refresh per portal at a time across all processes:
 * the lock holder refreshes and stores the new tokens; the others wait and read them. And at most
 * one per portal per REFRESH_FLOOR_MS: a portal that refuses the fresh tokens too is marked
 * `needs_reinstall` instead of being refreshed again and again.
 *
 * The floor is timed by the injected clock (as every other time the app compares across processes:
 * wait deadlines, callback due times), so tests move it; processes' clocks are assumed to agree
 * within NTP's skew, a small part of the floor. Redis TIME would be skew-free but a second clock.
 */
export function createTokenRefresher(options: TokenRefresherOptions) {
  // Well above the refresh request's own time-out, so the lock cannot lapse mid-refresh.
  const lockMs = options.lockMs ?? 30000;
  const { redis, keys, clock, log } = options;
  const fields = keys.refreshFloorFields;

  /** How long the floor still holds, and whether the refresh that set it got tokens. */
  async function readFloor(memberId: string): Promise<{ remainingMs: number; succeeded: boolean }> {
    const [at, ok] = await redis.hmget(keys.refreshFloor(memberId), fields.refreshedAt, fields.succeeded);
    // Same rule as period-claim-1.lua: a time more than a floor away (either side) no longer holds.
    const apart = at === null ? REFRESH_FLOOR_MS : Math.abs(clock.now() - Number(at));
    return { remainingMs: Math.max(0, REFRESH_FLOOR_MS - apart), succeeded: ok === '1' };
  }

  const claim = (memberId: string, field: string, periodMs: number, clearField?: string) =>
    scripts.claimPeriod(redis, keys.refreshFloor(memberId), {
      field,
      nowMs: clock.now(),
      periodMs,
      ttlMs: FLOOR_TTL_MS,
      clearField,
    });

  /** A retryable refusal while the floor holds after a refresh that got no tokens. */
  const floorError = (remainingMs: number) =>
    new BitrixError('expired_token', 'the tokens were refreshed moments ago; trying again later', 401, 'oauth', {
      retryAfterMs: remainingMs,
    });

  /**
   * Marks the portal (unless newer tokens arrived meanwhile: then the caller should retry) and
   * returns the error for the robot; warns at most once a minute per portal.
   */
  async function refused(portal: Portal, reason: 'expired_after_refresh' | 'invalid_grant'): Promise<AppError> {
    const { memberId } = portal;
    const marked = await options.portals.setNeedsReinstall(memberId, clock.now(), portal.accessToken);
    if (marked === 'tokens_changed') return floorError(1000);
    if (marked === 'changed') options.metrics.portalsNeedingReinstall.inc({ reason });
    if ((await claim(memberId, fields.warnedAt, WARN_EVERY_MS)) === 0) {
      log.warn(
        { memberId, domain: portal.domain, reason },
        'portal refuses the app even after a token refresh: marked needs_reinstall; an administrator must reinstall the app',
      );
    }
    return needsReinstallError();
  }

  async function refreshNow(portal: Portal, failedAccessToken: string): Promise<Portal> {
    const { memberId } = portal;
    const floor = await readFloor(memberId);
    if (floor.remainingMs > 0) {
      // Refreshed moments ago: if those very tokens failed, the portal refuses fresh tokens.
      if (floor.succeeded && portal.accessToken === failedAccessToken)
        throw await refused(portal, 'expired_after_refresh');
      // Marked meanwhile (the refresh token refused): nothing to wait for.
      if (portal.needsReinstall !== undefined) throw needsReinstallError();
      throw floorError(floor.remainingMs);
    }
    // Under the lock nobody else claims; the claim still guards against a lock that lapsed.
    const waitMs = await claim(memberId, fields.refreshedAt, REFRESH_FLOOR_MS, fields.succeeded);
    if (waitMs > 0) throw floorError(waitMs);
    let answer: Awaited<ReturnType<typeof exchangeRefreshToken>>;
    try {
      answer = await exchangeRefreshToken(portal, options);
    } catch (error) {
      // The refresh token itself is refused: only a reinstall brings a new one.
      if (error instanceof TokenRefreshError && error.oauthError === 'invalid_grant')
        throw await refused(portal, 'invalid_grant');
      throw error;
    }
    const { confirmedMemberId: _confirmed, ...next } = answer;
    // Stored before any call is retried: the old refresh token is already spent.
    await options.portals.save(next, { keepNeedsReinstall: true });
    await redis.hset(keys.refreshFloor(memberId), fields.succeeded, '1');
    log.info({ memberId }, 'portal tokens refreshed');
    return next;
  }

  async function refreshTokens(memberId: string, failedAccessToken: string): Promise<Portal> {
    const lockKey = keys.refreshLock(memberId);
    const lockValue = randomId();
    const deadline = clock.now() + lockMs * 2;
    while (clock.now() < deadline) {
      const current = await options.portals.get(memberId);
      if (!current) throw new Error(`portal ${memberId} is not installed`);
      // Someone else already refreshed since our call failed: use their tokens.
      if (current.accessToken !== failedAccessToken && current.expiresAt > clock.now() + 5000) return current;
      const locked = await redis.set(lockKey, lockValue, 'PX', lockMs, 'NX');
      if (locked === 'OK') {
        try {
          const fresh = await options.portals.get(memberId);
          if (fresh && fresh.accessToken !== failedAccessToken && fresh.expiresAt > clock.now() + 5000) return fresh;
          return await refreshNow(fresh ?? current, failedAccessToken);
        } finally {
          // Release only our own lock.
          await scripts.releaseLock(redis, lockKey, lockValue);
        }
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`token refresh for ${memberId} did not finish within ${lockMs * 2} ms`);
  }

  return Object.assign(refreshTokens, {
    /**
     * A call was refused with `refusedAccessToken` after the client already asked for a refresh:
     * when those are the tokens the last refresh (within the floor) got, the portal needs a
     * reinstall — the error to give the robot; null when another try may work.
     */
    async tokenRefused(memberId: string, refusedAccessToken: string): Promise<AppError | null> {
      const portal = await options.portals.get(memberId);
      if (!portal || portal.accessToken !== refusedAccessToken) return null;
      const floor = await readFloor(memberId);
      return floor.remainingMs > 0 && floor.succeeded ? refused(portal, 'expired_after_refresh') : null;
    },

    /** A portal marked needs_reinstall is not called until the floor lets one more refresh be tried. */
    async assertUsable(portal: Pick<Portal, 'memberId' | 'needsReinstall'>): Promise<void> {
      if (portal.needsReinstall === undefined) return;
      if ((await readFloor(portal.memberId)).remainingMs > 0) throw needsReinstallError();
    },

    /** A call worked: a portal marked needs_reinstall is fine again. */
    async callWorked(portal: Pick<Portal, 'memberId' | 'needsReinstall'>): Promise<void> {
      if (portal.needsReinstall === undefined) return;
      if ((await options.portals.setNeedsReinstall(portal.memberId, undefined)) === 'changed')
        log.info({ memberId: portal.memberId }, 'portal accepts the app again: needs_reinstall cleared');
    },
  });
}

/**
 * Spends the portal's refresh token at the trusted OAuth server; the answer is authoritative for
 * `member_id` and `client_endpoint` (used to confirm a portal that changed its address).
 */
export async function exchangeRefreshToken(
  portal: Portal,
  options: Pick<TokenRefresherOptions, 'clientId' | 'clientSecret' | 'oauthUrl' | 'log' | 'clock'>,
): Promise<Portal & { confirmedMemberId: string }> {
  const body = new URLSearchParams({
    grant_type: 'refresh_token',
    client_id: options.clientId,
    client_secret: options.clientSecret,
    refresh_token: portal.refreshToken,
  });
  const response = await fetch(oauthTokenUrl(portal, options.oauthUrl), {
    method: 'POST',
    body,
    signal: AbortSignal.timeout(10000),
  });
  const json: unknown = await response.json().catch(() => ({}));
  const ok = refreshAnswerSchema.safeParse(json);
  if (!response.ok || !ok.success) {
    const failure = refreshErrorSchema.safeParse(json);
    const reason = failure.success
      ? `${failure.data.error}: ${failure.data.error_description ?? ''}`
      : `HTTP ${response.status}`;
    options.log.error({ memberId: portal.memberId, reason }, 'token refresh failed');
    throw new TokenRefreshError(
      failure.success ? failure.data.error : '',
      `token refresh failed for ${portal.memberId}: ${reason}`,
    );
  }
  const answer = ok.data;
  return {
    ...portal,
    accessToken: answer.access_token,
    refreshToken: answer.refresh_token,
    expiresAt: answer.expires ? answer.expires * 1000 : options.clock.now() + answer.expires_in * 1000,
    clientEndpoint: answer.client_endpoint ?? portal.clientEndpoint,
    serverEndpoint: answer.server_endpoint ?? portal.serverEndpoint,
    confirmedMemberId: answer.member_id ?? '',
  };
}

export type RefreshTokens = ReturnType<typeof createTokenRefresher>;
