import type { Redis } from 'ioredis';
import { z } from 'zod';
import type { Clock } from '../lib/clock';
import { randomId } from '../lib/hash';
import type { Logger } from '../lib/logger';
import type { RedisKeys } from '../redis/keys';
import type { Portal, PortalStore } from '../store/portal-store';

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

export interface TokenRefresherOptions {
  redis: Redis;
  keys: RedisKeys;
  portals: PortalStore;
  clientId: string;
  clientSecret: string;
  /** Overrides the OAuth server derived from the portal's server_endpoint. */
  oauthUrl?: string;
  log: Logger;
  clock: Clock;
  lockMs?: number;
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
 * the lock holder refreshes and stores the new tokens; the others wait and read them.
 */
export function createTokenRefresher(options: TokenRefresherOptions) {
  // Well above the refresh request's own time-out, so the lock cannot lapse mid-refresh.
  const lockMs = options.lockMs ?? 30000;
  return async function refreshTokens(memberId: string, failedAccessToken: string): Promise<Portal> {
    const lockKey = options.keys.refreshLock(memberId);
    const lockValue = randomId();
    const deadline = options.clock.now() + lockMs * 2;
    while (options.clock.now() < deadline) {
      const current = await options.portals.get(memberId);
      if (!current) throw new Error(`portal ${memberId} is not installed`);
      // Someone else already refreshed since our call failed: use their tokens.
      if (current.accessToken !== failedAccessToken && current.expiresAt > options.clock.now() + 5000) return current;
      const locked = await options.redis.set(lockKey, lockValue, 'PX', lockMs, 'NX');
      if (locked === 'OK') {
        try {
          const fresh = await options.portals.get(memberId);
          if (fresh && fresh.accessToken !== failedAccessToken && fresh.expiresAt > options.clock.now() + 5000)
            return fresh;
          return await refreshNow(fresh ?? current);
        } finally {
          // Release only our own lock.
          await options.redis.eval(
            "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0",
            1,
            lockKey,
            lockValue,
          );
        }
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`token refresh for ${memberId} did not finish within ${lockMs * 2} ms`);
  };

  async function refreshNow(portal: Portal): Promise<Portal> {
    const next = await exchangeRefreshToken(portal, options);
    // Stored before any call is retried: the old refresh token is already spent.
    await options.portals.save(next);
    options.log.info({ memberId: portal.memberId }, 'portal tokens refreshed');
    return next;
  }
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
    throw new Error(`token refresh failed for ${portal.memberId}: ${reason}`);
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
