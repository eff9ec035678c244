import { RateLimitedError } from '../../lib/errors/rate-limited-error';
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
  // 429 with the wait (Retry-After), counted in neither window.
  if (waitMs > 0) throw new RateLimitedError(waitMs);
}
