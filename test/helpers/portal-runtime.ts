import { Redis } from 'ioredis';
import { loadConfig } from '../../config/load-config';
import { type Clock, systemClock } from '../../lib/clock';
import { randomId } from '../../lib/hash';
import type { Logger } from '../../lib/logger';
import { createRuntime, type Runtime } from '../../runtime/create-runtime';
import { type BitrixPortalSimulator, createBitrixPortalSimulator } from '../../simulators/bitrix24';
import { CLIENT_ID, CLIENT_SECRET } from './harness';

/** A runtime (no HTTP app, no workers) with one portal installed from the strict portal simulator. */
export interface PortalRuntime {
  portal: BitrixPortalSimulator;
  redis: Redis;
  rt: Runtime;
  /** The installed portal's member id. */
  memberId: string;
}

/**
 * Starts the portal simulator (Russian, its REST limit out of the way) and a runtime on the test
 * Redis under a fresh key prefix starting `prefix`, with the simulator's current installation
 * saved as its portal (installed now by `clock`).
 */
export async function startPortalRuntime(o: { prefix: string; log: Logger; clock?: Clock }): Promise<PortalRuntime> {
  const redisUrl = process.env.TEST_REDIS_URL ?? '';
  const portal = createBitrixPortalSimulator({
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    languageId: 'ru',
    restLimit: { drainPerSec: 1000, burst: 1000 },
  });
  const { url } = await portal.start(0);
  const prefix = `${o.prefix}${randomId(4).replace(/[^a-zA-Z0-9]/g, 'x')}`;
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const config = loadConfig({
    PUBLIC_URL: 'http://127.0.0.1:1',
    REDIS_URL: redisUrl,
    B24_CLIENT_ID: CLIENT_ID,
    B24_CLIENT_SECRET: CLIENT_SECRET,
    B24_OAUTH_URL: url,
    WA_APP_SECRET: 'app-secret',
    WA_VERIFY_TOKEN: 'verify-token',
    SECRETS_KEY: 'c'.repeat(64),
    LOG_LEVEL: 'silent',
    B24_REST_DRAIN_PER_SEC: '1000',
    B24_REST_BURST: '1000',
    ALLOW_PRIVATE_ADDRESSES: '1',
  });
  const clock = o.clock ?? systemClock;
  const rt = createRuntime({ config, redis, clock, log: o.log, keyPrefix: prefix, queuePrefix: `bull-${prefix}` });
  const t = portal.currentTokens();
  await rt.portals.save({
    memberId: t.memberId,
    domain: t.domain,
    clientEndpoint: t.clientEndpoint,
    serverEndpoint: t.serverEndpoint,
    applicationToken: t.applicationToken,
    accessToken: t.accessToken,
    refreshToken: t.refreshToken,
    expiresAt: t.expires * 1000,
    scope: t.scope,
    userId: t.userId,
    languageId: 'ru',
    installedAt: clock.now(),
  });
  return { portal, redis, rt, memberId: t.memberId };
}

/** Closes what startPortalRuntime opened. */
export async function stopPortalRuntime(p: PortalRuntime): Promise<void> {
  await p.rt.close();
  p.redis.disconnect();
  await p.portal.stop();
}
