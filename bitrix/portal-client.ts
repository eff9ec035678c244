import { B24OAuth, SdkError } from '@bitrix24/b24jssdk';
import type { Dispatcher } from 'undici';
import { z } from 'zod';
import { type Clock, systemClock } from '../lib/clock';
import { AppError } from '../lib/errors/app-error';
import type { Logger } from '../lib/logger';
import type { RedisClient } from '../redis/connect';
import type { RedisKeys } from '../redis/keys';
import { rateScripts } from '../redis/rate-scripts';
import type { Portal, PortalStore } from '../store/portal-store';
import { wellFormed } from './batch-encode';
import { type BatchPostDeps, batchAnswers } from './batch-post';
import { BitrixError, PORTAL_NOT_INSTALLED } from './bitrix-error';
import { guardedB24OAuthClass, type PortalGuard } from './guarded-sdk';
import type { RefreshTokens } from './refresh-tokens';
import { bitrixErrorOf } from './sdk-error';

export type CallParams = Record<string, unknown>;
export type BatchCommands = Record<string, [method: string, params: CallParams]>;
export interface BatchOutcome {
  results: Record<string, unknown>;
  errors: Record<string, { code: string; description: string }>;
}

/** An authenticated client for one portal: shared rate limit, transparent token refresh. */
export interface PortalClient {
  readonly memberId: string;
  call<T = unknown>(method: string, params?: CallParams): Promise<T>;
  /** Up to 50 commands in one request; one command's error does not fail the others. */
  batch(commands: BatchCommands): Promise<BatchOutcome>;
}

export interface PortalClientFactoryOptions {
  redis: RedisClient;
  keys: RedisKeys;
  portals: PortalStore;
  refreshTokens: RefreshTokens;
  clientId: string;
  clientSecret: string;
  defaultDrainPerSec: number;
  defaultBurst: number;
  /** What `app.info` must name as CODE for an install to count as ours. */
  appCode: string;
  log: Logger;
  clock: Clock;
  /** Pools applying the address policy when connecting (lib/connect-guard.ts): `batch`'s, the SDK's axios'. */
  guard: PortalGuard | undefined;
  /** Unguarded, `batch`'s pool (the runtime's, closed with it; default: batch-post's own); guarded, guard's. */
  batchPool?: Dispatcher;
}

const appInfoSchema = z.object({ CODE: z.string(), INSTALLED: z.boolean().optional() }).loose();

/** What `app.info` says of offered tokens: null when they do not work or belong to another app. */
export interface ProbeResult {
  /** False until the install page called installFinish: the app is being installed, not opened. */
  installed: boolean;
}

const commandPayloadSchema = z.object({
  result: z.unknown().optional(),
  error: z.union([z.string(), z.number()]).optional(),
  error_description: z.string().optional(),
});

export const MAX_BATCH = 50;

/**
 * Slots of the portal's bucket the app never fills. The app counts a call when it takes the slot;
 * the portal counts it when the call arrives, a little later and not always equally later: two
 * calls taken 1/drain apart may arrive closer together, and with the bucket full the second is
 * refused (QUERY_LIMIT_EXCEEDED). One slot absorbs up to 1/drain of such jitter (100 ms at 10/s)
 * for 1/drain of extra time on a long run (5,000 callbacks at 10/s, burst 50: 5.1 s, not 5.0).
 */
export const REST_HEADROOM = 1;

/** The portal's REST limit as the app's shared bucket applies it (its burst less the headroom). */
export function restLimitOf(
  portal: Pick<Portal, 'restDrainPerSec' | 'restBurst'>,
  defaults: { defaultDrainPerSec: number; defaultBurst: number },
): { drain: number; capacity: number } {
  const burst = portal.restBurst ?? defaults.defaultBurst;
  return {
    drain: portal.restDrainPerSec ?? defaults.defaultDrainPerSec,
    capacity: Math.max(1, burst - REST_HEADROOM),
  };
}

/** Builds per-portal clients. The b24jssdk does the HTTP; Redis limits and refreshes across processes. */
export function createPortalClientFactory(options: PortalClientFactoryOptions) {
  const Sdk = options.guard ? guardedB24OAuthClass(options.guard.nodeAgents) : B24OAuth;
  async function waitForRestToken(portal: Portal): Promise<void> {
    const { drain, capacity } = restLimitOf(portal, options);
    for (;;) {
      const waitMs = await rateScripts.takeRestToken(
        options.redis,
        options.keys.restBucket(portal.memberId),
        drain,
        capacity,
      );
      if (waitMs === 0) return;
      await new Promise((resolve) => setTimeout(resolve, Math.min(waitMs, 2000)));
    }
  }

  async function penalise(portal: Portal): Promise<void> {
    const { drain, capacity } = restLimitOf(portal, options);
    await rateScripts.takeRestToken(options.redis, options.keys.restBucket(portal.memberId), drain, capacity, true);
  }

  /** A client for the portal's current tokens; `lastToken()` is the one it last used (after its refresh, the fresh one). */
  function sdkFor(portal: Portal, refresh = true): { sdk: B24OAuth; lastToken: () => string; refused: () => boolean } {
    const sdk = new Sdk(
      {
        applicationToken: portal.applicationToken,
        userId: portal.userId,
        memberId: portal.memberId,
        accessToken: portal.accessToken,
        refreshToken: portal.refreshToken,
        expires: Math.floor(portal.expiresAt / 1000),
        expiresIn: 3600,
        scope: portal.scope,
        domain: portal.domain,
        clientEndpoint: portal.clientEndpoint,
        serverEndpoint: portal.serverEndpoint,
        status: 'L',
      },
      { clientId: options.clientId, clientSecret: options.clientSecret },
      {
        // Our Redis bucket is the limiter (shared by all processes); queues do the retrying,
        // and a repeated non-idempotent call must never come from the SDK on its own.
        restrictionParams: {
          maxRetries: 1,
          retryOnNetworkError: false,
          rateLimit: { burstLimit: 1_000_000, drainRate: 1_000_000, adaptiveEnabled: false },
          adaptiveConfig: { enabled: false, thresholdPercent: 100, coefficient: 0, maxDelay: 0 },
        },
      },
    );
    let failedToken = portal.accessToken;
    // The SDK wraps a refusal from this hook into an unknown error (status 0): remember it here.
    let tokenRefused = false;
    sdk.setCustomRefreshAuth(async () => {
      if (!refresh) {
        tokenRefused = true;
        throw new BitrixError('expired_token', 'the token offered at install is not valid', 401, 'probe');
      }
      const fresh = await options.refreshTokens(portal.memberId, failedToken);
      failedToken = fresh.accessToken;
      return {
        access_token: fresh.accessToken,
        refresh_token: fresh.refreshToken,
        expires: String(Math.floor(fresh.expiresAt / 1000)),
        expires_in: String(Math.max(1, Math.floor((fresh.expiresAt - options.clock.now()) / 1000))),
        client_endpoint: fresh.clientEndpoint,
        server_endpoint: fresh.serverEndpoint,
        member_id: fresh.memberId,
        scope: fresh.scope,
        status: 'L',
        domain: fresh.domain,
      };
    });
    return { sdk, lastToken: () => failedToken, refused: () => tokenRefused };
  }

  async function withPortal<T>(
    memberId: string,
    method: string,
    run: (sdk: () => B24OAuth, portal: Portal, direct: BatchPostDeps) => Promise<T>,
  ): Promise<T> {
    const portal = await options.portals.get(memberId);
    if (!portal) throw new BitrixError(PORTAL_NOT_INSTALLED, `portal ${memberId} is not installed`, 0, method);
    // Marked needs_reinstall: not called at all until the refresh floor allows one more try.
    await options.refreshTokens.assertUsable(portal);
    await waitForRestToken(portal);
    // Built only when used: a batch answered on the direct path needs no SDK client.
    let client: ReturnType<typeof sdkFor> | undefined;
    const sdk = () => {
      client ??= sdkFor(portal);
      return client.sdk;
    };
    // The token the direct batch path last offered (after its own refresh, the fresh one).
    let directToken = portal.accessToken;
    const direct: BatchPostDeps = {
      async refresh(failedAccessToken) {
        const fresh = await options.refreshTokens(memberId, failedAccessToken);
        directToken = fresh.accessToken;
        return fresh;
      },
      takeSlot: () => waitForRestToken(portal),
      dispatcher: options.guard?.dispatcher ?? options.batchPool,
    };
    let result: T;
    try {
      result = await run(sdk, portal, direct);
    } catch (error) {
      // What our refresh threw (needs_reinstall, a refused refresh; the SDK wraps it): pass that on as it is.
      const ours = error instanceof SdkError && 'originalError' in error ? error.originalError : error;
      if (ours instanceof AppError && !(ours instanceof BitrixError)) throw ours;
      const mapped = bitrixErrorOf(ours instanceof BitrixError ? ours : error, method);
      if (mapped.code === 'QUERY_LIMIT_EXCEEDED') await penalise(portal);
      options.log.warn({ memberId, method, code: mapped.code, status: mapped.httpStatus }, 'bitrix call failed');
      // Refused again right after the SDK's refresh: the portal may refuse fresh tokens altogether.
      if (mapped.code === 'expired_token' || mapped.code === 'invalid_token')
        throw (await options.refreshTokens.tokenRefused(memberId, client?.lastToken() ?? directToken)) ?? mapped;
      throw mapped;
    }
    await options.refreshTokens.callWorked(portal);
    return result;
  }

  /**
   * `app.info` with `portal`'s own token at its own REST address: null when the token does not
   * work or belongs to another app on the portal (a forged install). A portal that cannot be
   * reached (network, 5xx) is a retryable error, not a refusal: a genuine install must not be
   * refused for a blip.
   */
  async function probe(portal: Portal): Promise<ProbeResult | null> {
    const client = sdkFor(portal, false);
    try {
      const response = await client.sdk.actions.v2.call.make({ method: 'app.info', params: {} });
      const info = appInfoSchema.safeParse(response.getData()?.result);
      if (!response.isSuccess || !info.success || info.data.CODE !== options.appCode) return null;
      return { installed: info.data.INSTALLED !== false };
    } catch (error) {
      const mapped = error instanceof BitrixError ? error : bitrixErrorOf(error, 'app.info');
      options.log.warn({ memberId: portal.memberId, err: error }, 'install probe failed');
      const refused = client.refused() || mapped.code === 'expired_token';
      if (!refused && (mapped.httpStatus === 0 || mapped.httpStatus >= 500)) {
        throw new AppError('portal_unavailable', "the portal's REST address did not answer; try again", {
          retryable: true,
          cause: error,
        });
      }
      return null;
    }
  }

  return Object.assign(
    function forPortal(memberId: string): PortalClient {
      return {
        memberId,
        async call<T>(method: string, params: CallParams = {}): Promise<T> {
          return withPortal(memberId, method, async (sdk) => {
            // Lone surrogates would reach PHP's json_decode, which refuses the whole call for one
            // (the cast: wellFormed returns a value of the shape it was given).
            const response = await sdk().actions.v2.call.make<T>({ method, params: wellFormed(params) as CallParams });
            const data = response.getData();
            if (!response.isSuccess || !data) {
              throw new BitrixError('ERROR', response.getErrorMessages().join('; ') || 'empty answer', 200, method);
            }
            return data.result as T;
          });
        },
        async batch(commands: BatchCommands): Promise<BatchOutcome> {
          const keys = Object.keys(commands);
          if (keys.length === 0) return { results: {}, errors: {} };
          if (keys.length > MAX_BATCH) throw new Error(`batch of ${keys.length} commands; at most ${MAX_BATCH}`);
          return withPortal(memberId, 'batch', async (_sdk, portal, direct) => {
            // Real time, not the injected clock: the portal judges its token by its own clock, as the
            // SDK's own expiry check did (a test's clock moved days ahead must not refresh every call).
            const byKey = await batchAnswers(direct, portal, commands, systemClock.now());
            const outcome: BatchOutcome = { results: {}, errors: {} };
            for (const key of keys) {
              const payload = commandPayloadSchema.safeParse(byKey.get(key));
              if (!payload.success) {
                outcome.errors[key] = {
                  code: 'NO_ANSWER',
                  description: 'the batch answer has no entry for this command',
                };
              } else if (payload.data.error !== undefined && payload.data.error !== null) {
                outcome.errors[key] = {
                  code: String(payload.data.error),
                  description: payload.data.error_description ?? '',
                };
              } else {
                outcome.results[key] = payload.data.result;
              }
            }
            return outcome;
          });
        },
      };
    },
    { probe },
  );
}

export type PortalClientFactory = ReturnType<typeof createPortalClientFactory>;
