import { AppError } from '../../lib/errors/app-error';
import { randomId } from '../../lib/hash';
import type { RedisClient } from '../../redis/connect';
import type { RedisKeys } from '../../redis/keys';
import { rateScripts } from '../../redis/rate-scripts';
import type { ApiToken } from '../../store/api-token-store';
import type { ApiMethodName } from './api-schemas';

export interface ApiRateLimitDeps {
  redis: RedisClient;
  keys: RedisKeys;
}

/** 429 with the wait (Retry-After), counted in neither window. */
export class ApiRateLimitedError extends AppError {
  constructor(waitMs: number) {
    super('rate_limited', `retry in ${waitMs} ms`, { kind: 'rate_limited', retryAfterMs: waitMs });
  }
}

/**
 * Takes one request from the token's limits, in RedisClient so every web process shares them: the overall
 * window for every method, plus checkPhone's own per-second one.
 */
export async function takeApiRequest(deps: ApiRateLimitDeps, token: ApiToken, method: ApiMethodName): Promise<void> {
  const checkPhone = method === 'checkPhone';
  const waitMs = await rateScripts.takeApiRequest(
    deps.redis,
    { overall: deps.keys.apiRate(token.id), method: deps.keys.apiRateCheckPhone(token.id) },
    {
      overall: token.perWindow,
      overallWindowMs: token.windowMs,
      method: checkPhone ? token.checkPhonePerSec : 0,
      methodWindowMs: 1000,
    },
    randomId(9),
  );
  if (waitMs > 0) throw new ApiRateLimitedError(waitMs);
}
