import { createHmac } from 'node:crypto';
import type { Redis } from 'ioredis';
import { createKeys } from '../redis/keys';
import { createSecretBox } from '../lib/secret-box';
import { PortalStore } from '../store/portal-store';
import { LineStore, type Line } from '../store/line-store';
import { MessageStore } from '../store/message-store';
import { CallbackOutbox } from '../bitrix/callback-outbox';
import { createTokenRefresher } from '../bitrix/refresh-tokens';
import { createPortalClientFactory } from '../bitrix/portal-client';
import { createCloudApiProvider } from '../providers/cloud-api/cloud-api-provider';
import { createGreenApiProvider } from '../providers/green-api/green-api-provider';
import type { WhatsAppProvider } from '../providers/provider';
import { createQueues } from '../queues/create-queues';
import { createMetrics } from '../lib/metrics';
import { createLogger, type Logger } from '../lib/logger';
import { systemClock, type Clock } from '../lib/clock';
import { decodeKey, type AppConfig } from '../config/env-schema';

export interface RuntimeOptions {
  config: AppConfig;
  /** Worker-role connection (BullMQ needs maxRetriesPerRequest: null). */
  redis: Redis;
  clock?: Clock;
  log?: Logger;
  /** Key prefix, so tests can share one Redis. */
  keyPrefix?: string;
  queuePrefix?: string;
  /** Width of a line's rate window (Meta counts per second). */
  lineWindowMs?: number;
}

/** Stores, clients and queues shared by the web process and the workers. */
export function createRuntime(options: RuntimeOptions) {
  const { config, redis } = options;
  const keys = createKeys(options.keyPrefix ?? 'wa');
  const key = decodeKey(config.SECRETS_KEY);
  if (!key) throw new Error('SECRETS_KEY must be 32 bytes');
  const box = createSecretBox(key);
  const log = options.log ?? createLogger(config.LOG_LEVEL);
  const portals = new PortalStore(redis, keys, box);
  const lines = new LineStore(redis, keys, box);
  const messages = new MessageStore(redis, keys);
  const outbox = new CallbackOutbox(redis, keys);
  const refreshTokens = createTokenRefresher({ redis, keys, portals, clientId: config.B24_CLIENT_ID, clientSecret: config.B24_CLIENT_SECRET, oauthUrl: config.B24_OAUTH_URL, log });
  const bitrix = createPortalClientFactory({
    redis, keys, portals, refreshTokens, clientId: config.B24_CLIENT_ID, clientSecret: config.B24_CLIENT_SECRET,
    defaultDrainPerSec: config.B24_REST_DRAIN_PER_SEC, defaultBurst: config.B24_REST_BURST, appCode: config.B24_APP_CODE ?? config.B24_CLIENT_ID, log,
  });
  const providerFor = (line: Line): WhatsAppProvider => (line.provider === 'green-api'
    ? createGreenApiProvider({}, { apiUrl: line.apiUrl, idInstance: line.phoneNumberId, apiTokenInstance: line.accessToken })
    : createCloudApiProvider({ graphUrl: config.WA_GRAPH_URL, version: config.WA_GRAPH_VERSION }, line));
  const queues = createQueues(redis, options.queuePrefix ?? 'bull', (error) => log.warn({ err: error.message }, 'queue connection error'));
  return {
    config, redis, keys, log, portals, lines, messages, outbox, refreshTokens, bitrix, providerFor, queues,
    metrics: createMetrics(),
    clock: options.clock ?? systemClock,
    lineWindowMs: options.lineWindowMs ?? 1000,
    /** Deterministic but unguessable id for a value (wait ids: stable across job retries). */
    sign: (value: string) => createHmac('sha256', key).update(value).digest('base64url').slice(0, 22),
  };
}

export type Runtime = ReturnType<typeof createRuntime>;
