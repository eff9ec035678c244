import { z } from 'zod';

import { GREEN_API_HOSTS_DEFAULT } from './green-api-hosts';
import { defaultQueuePrefix, hasHashTag, parseRedisUrl } from './redis-url';
import { trustProxySchema } from './trust-proxy';

/** The product prefix of robot and activity names when PRODUCT_PREFIX is not set. */
export const DEFAULT_PRODUCT_PREFIX = '[OLChat] WhatsApp';

/** The variables, each validated on its own (the cross-checks and derived defaults follow). */
const envFields = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  PUBLIC_URL: z.url({ protocol: /^https?$/ }).transform((u) => u.replace(/\/+$/, '')),
  /** Which peers' X-Forwarded-For names the client's address (config/trust-proxy.ts); default: private and local ones only. */
  TRUST_PROXY: trustProxySchema,
  /** One Redis (`redis://`, `rediss://`) or a Redis Cluster (`redis+cluster://host:port,host:port`). */
  REDIS_URL: z
    .string()
    .default('redis://127.0.0.1:6379')
    .superRefine((url, ctx) => {
      try {
        parseRedisUrl(url);
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: error instanceof Error ? error.message : String(error) });
      }
    }),
  /**
   * BullMQ key prefix (default `bull` on one Redis, `{bull}` on a cluster). On a cluster it must hold
   * a `{hash tag}`. Changing it on a running deployment strands the jobs under the old prefix.
   */
  QUEUE_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_{}.-]+$/, 'letters, digits, _ . - and {hash tag} braces only')
    .optional(),
  B24_CLIENT_ID: z.string().min(1),
  B24_CLIENT_SECRET: z.string().min(1),
  /** The app's code in `app.info` when it differs from the client id (marketplace apps; local apps: the same). */
  B24_APP_CODE: z.string().min(1).optional(),
  /** Overrides the OAuth server taken from the portal's server_endpoint. */
  B24_OAUTH_URL: z.url().optional(),
  WA_GRAPH_URL: z
    .url()
    .default('https://graph.facebook.com')
    .transform((u) => u.replace(/\/+$/, '')),
  WA_GRAPH_VERSION: z
    .string()
    .regex(/^v\d+\.\d+$/, 'looks like v25.0')
    .default('v25.0'),
  /** GupShup's API host (a line may name its own); the simulator's in tests. */
  GUPSHUP_API_URL: z
    .url()
    .default('https://api.gupshup.io')
    .transform((u) => u.replace(/\/+$/, '')),
  WA_APP_SECRET: z.string().min(8),
  WA_VERIFY_TOKEN: z.string().min(8),
  /** 32 bytes as 64 hex chars or base64; encrypts stored tokens. */
  SECRETS_KEY: z.string().refine((v) => decodeKey(v) !== null, 'must be 32 bytes as 64 hex characters or base64'),
  /**
   * 32 bytes (hex or base64): the HMAC key webhook-API tokens are stored under. Unset: derived from
   * SECRETS_KEY (a separate key lets you rotate one without the other).
   */
  API_TOKEN_KEY: z
    .string()
    .refine((v) => decodeKey(v) !== null, 'must be 32 bytes as 64 hex characters or base64')
    .optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Starts every robot and activity name shown in Bitrix24 (issue 12). */
  PRODUCT_PREFIX: z.string().max(64).default(DEFAULT_PRODUCT_PREFIX),
  /** Default messages per second per WhatsApp line (overridable per line). */
  LINE_RATE_PER_SEC: z.coerce.number().int().positive().default(80),
  /** Default Bitrix24 REST leaky bucket per portal (overridable per portal). */
  B24_REST_DRAIN_PER_SEC: z.coerce.number().positive().default(2),
  B24_REST_BURST: z.coerce.number().int().positive().default(50),
  /**
   * How long an open-line chat's later messages wait for a missing earlier one (its webhook was
   * numbered at receipt but its job never came) before they go on without it (issue 11).
   */
  OPEN_LINE_GAP_TIMEOUT_MS: z.coerce.number().int().positive().default(30_000),
  DEFAULT_PHONE_REGION: z.string().length(2).default('RU'),
  /**
   * Lets the app call loopback, private and link-local addresses (portal, file URLs): off in
   * production, so an install or a robot cannot point the app at the internal network; on for the
   * demo and tests, whose simulators run on 127.0.0.1.
   */
  ALLOW_PRIVATE_ADDRESSES: z.stringbool().default(false),
  /**
   * The member_ids of the app operator's own portals, comma-separated: only their admins see Bull
   * Board. The board shows every tenant's jobs (phones, texts, event tokens), so a tenant's admin
   * must never reach it; unset: nobody does.
   */
  QUEUE_BOARD_PORTALS: z
    .string()
    .default('')
    .transform((v) =>
      v
        .split(',')
        .map((id) => id.trim())
        .filter(Boolean),
    ),
  /**
   * The Green-API hosts a portal admin may name on the settings page (comma-separated; `*.x.com`:
   * any name under x.com). Only https, never a private address (ALLOW_PRIVATE_ADDRESSES aside).
   * The CLI is not limited.
   */
  GREEN_API_HOSTS: z
    .string()
    .default(GREEN_API_HOSTS_DEFAULT)
    .transform((v) =>
      v
        .split(',')
        .map((host) => host.trim())
        .filter(Boolean),
    ),
  /** Lets the operator pause, retry, clean and remove jobs on Bull Board (default: read-only). */
  QUEUE_BOARD_WRITABLE: z.stringbool().default(false),
  /** A worker process serves its own /metrics here (0 = off; give each worker process its own port). */
  WORKER_METRICS_PORT: z.coerce.number().int().min(0).max(65535).default(0),
  /**
   * Robot/activity jobs one worker process runs at once. Sends mostly wait on Redis and the
   * provider, so many in flight share each socket write (redis/write-coalescing.ts); lower it for a
   * one-core container (64 jobs of CPU work per tick can delay the 2.5 s lock renewals, and a late
   * one reruns a job).
   */
  WORKER_RUN_ACTION_CONCURRENCY: z.coerce.number().int().min(1).max(1000).default(64),
});

/** Every setting the app reads from the environment, validated once at start-up. */
export const envSchema = envFields
  .superRefine((config, ctx) => {
    const prefix = config.QUEUE_PREFIX;
    if (prefix === undefined || hasHashTag(prefix)) return;
    if (redisTargetKind(config.REDIS_URL) === 'cluster')
      ctx.addIssue({
        code: 'custom',
        path: ['QUEUE_PREFIX'],
        message: 'on a Redis Cluster it must contain a {hash tag}, e.g. {bull}: BullMQ needs each queue in one slot',
      });
  })
  .transform((config) => ({
    ...config,
    QUEUE_PREFIX: config.QUEUE_PREFIX ?? defaultQueuePrefix(parseRedisUrl(config.REDIS_URL)),
  }));

function redisTargetKind(url: string): 'single' | 'cluster' | 'invalid' {
  try {
    return parseRedisUrl(url).kind;
  } catch {
    return 'invalid';
  }
}

export type AppConfig = z.output<typeof envSchema>;

/** Decodes SECRETS_KEY (hex or base64) to 32 bytes, or null when it is not that. */
export function decodeKey(value: string): Buffer | null {
  const hex = /^[0-9a-fA-F]{64}$/.test(value) ? Buffer.from(value, 'hex') : null;
  const key = hex ?? Buffer.from(value, 'base64');
  return key.length === 32 ? key : null;
}
