import { Redis } from 'ioredis';
import { createTokenRefresher } from '../../../bitrix/refresh-tokens';
import { randomId } from '../../../lib/hash';
import { createLogger } from '../../../lib/logger';
import { createMetrics } from '../../../lib/metrics';
import { freePort } from '../../../lib/redis-server';
import { createSecretBox } from '../../../lib/secret-box';
import { createKeys } from '../../../redis/keys';
import { type Portal, PortalStore } from '../../../store/portal-store';
import { createManualClock } from '../../helpers/manual-clock';

describe('token refresh and expiry (real Redis, manual clock)', () => {
  const url = process.env.TEST_REDIS_URL ?? '';
  const redis = new Redis(url);
  afterAll(() => redis.disconnect());

  it("another process's fresh tokens are reused until they near expiry; then it refreshes", async () => {
    const clock = createManualClock();
    const keys = createKeys(`rt${randomId(4).replace(/[^a-zA-Z0-9]/g, 'x')}`);
    const portals = new PortalStore(redis, keys, createSecretBox(Buffer.alloc(32, 7)));
    const portal: Portal = {
      memberId: 'm1',
      domain: 'p.bitrix24.ru',
      clientEndpoint: 'https://p.bitrix24.ru/rest/',
      serverEndpoint: 'https://oauth.bitrix.info/rest/',
      applicationToken: 'app',
      accessToken: 'fresh',
      refreshToken: 'refresh',
      expiresAt: clock.now() + 60_000,
      scope: '',
      userId: 1,
      languageId: 'en',
      installedAt: 0,
    };
    await portals.save(portal);
    // An OAuth server that is not there: reaching it would fail the call.
    const oauthUrl = `http://127.0.0.1:${await freePort()}`;
    const options = {
      redis,
      keys,
      portals,
      clientId: 'id',
      clientSecret: 'secret',
      oauthUrl,
      log: createLogger('silent'),
      clock,
      metrics: createMetrics(),
    };
    const refresh = createTokenRefresher(options);
    expect((await refresh('m1', 'stale')).accessToken).toBe('fresh');
    // 56 s later the tokens are within 5 s of expiry: they count as spent, and a refresh is attempted.
    clock.advance(56_000);
    await expect(refresh('m1', 'stale')).rejects.toThrow();
  });
});
