import { createHmac } from 'node:crypto';
import { CallbackOutbox } from '../bitrix/callback-outbox';
import { createPortalClientFactory } from '../bitrix/portal-client';
import { createTokenRefresher } from '../bitrix/refresh-tokens';
import { type AppConfig, decodeKey } from '../config/env-schema';
import { HookEmitter } from '../hooks/hook-emitter';
import { HookStore } from '../hooks/hook-store';
import type { LookupAll } from '../lib/address-policy';
import { type Clock, systemClock } from '../lib/clock';
import { createLogger, type Logger } from '../lib/logger';
import { createMetrics } from '../lib/metrics';
import { createSecretBox } from '../lib/secret-box';
import { createPathSigner } from '../lib/signed-url';
import { createLineHealth } from '../lines/line-health';
import { createLineSender } from '../lines/line-sender';
import { createLineTemplates } from '../lines/line-templates';
import { createProviderFactory } from '../lines/provider-for-line';
import { WindowFallbacks } from '../lines/window-fallbacks';
import { createBusinessMirror } from '../openlines/business-mirror';
import { createChatDropNotes } from '../openlines/chat-drops';
import { type MediaRef, signedMediaUrl } from '../openlines/media-url';
import { createOpenLineRelay } from '../openlines/open-line-relay';
import { createReceiptNumbering } from '../openlines/receipt-numbering';
import { createQueues } from '../queues/create-queues';
import type { RedisClient } from '../redis/connect';
import { createKeys } from '../redis/keys';
import { ActivityLog } from '../store/activity-log';
import { ApiMessageStore } from '../store/api-message-store';
import { ApiTokenStore } from '../store/api-token-store';
import { ConfigCache } from '../store/config-cache';
import { CustomerWindowStore } from '../store/customer-window-store';
import { InboundFirstReads } from '../store/inbound-first-read';
import { OrdinaryMessages } from '../store/inbound-stream';
import { LineHealthStore } from '../store/line-health-store';
import { LineStore } from '../store/line-store';
import { MessageStore } from '../store/message-store';
import { OpenLineOutbox } from '../store/open-line-outbox';
import { OpenLineStore } from '../store/open-line-store';
import { OperatorChatOrder } from '../store/operator-chat-order';
import { PortalStore, portalTimeZone } from '../store/portal-store';
import { TemplateStore } from '../store/template-store';
import { StageReader } from '../waits/stage-reader';
import { createWaitService } from '../waits/wait-service';
import { WaitStore } from '../waits/wait-store';
import { registerPortal } from '../workers/portal-setup-processor';
import { runtimeCloser } from './close-runtime';
import { createOutboundConnections } from './outbound-connections';
import { createRuntimeLineAdmin } from './runtime-line-admin';

export interface RuntimeOptions {
  config: AppConfig;
  /** Worker-role connection (BullMQ needs maxRetriesPerRequest: null). */
  redis: RedisClient;
  /**
   * The queues' own connection (default: `redis`). BullMQ defines some fifty scripts on the
   * connection its queues use, and ioredis copies every defined script into each pipeline and
   * MULTI it builds: kept apart, the stores' many small pipelines stay cheap.
   */
  queueRedis?: RedisClient;
  clock?: Clock;
  log?: Logger;
  /** Key prefix, so tests can share one Redis. */
  keyPrefix?: string;
  /** BullMQ prefix (default: QUEUE_PREFIX). */
  queuePrefix?: string;
  /** Width of a line's rate window (Meta counts per second). */
  lineWindowMs?: number;
  /**
   * Whether the pools apply the address policy again when connecting (lib/connect-guard.ts); default:
   * unless ALLOW_PRIVATE_ADDRESSES. Off only for tests checking the policy's URL checks beside a
   * portal simulator on loopback.
   */
  guardConnections?: boolean;
  /** The resolver the guarded pools use (default: the system's); tests inject one to simulate DNS rebinding. */
  resolve?: LookupAll;
}

/**
 * The composition root: builds every store, client and service once and wires them together.
 * Only process entry points (app/main, workers/main, cli, demo) and test harnesses call it; every
 * other module takes the narrow dependency object it declares.
 */
export function createRuntime(options: RuntimeOptions) {
  const { config, redis } = options;
  const clock = options.clock ?? systemClock;
  const keys = createKeys(options.keyPrefix ?? 'wa');
  const key = decodeKey(config.SECRETS_KEY);
  if (!key) throw new Error('SECRETS_KEY must be 32 bytes');
  const box = createSecretBox(key);
  const log = options.log ?? createLogger(config.LOG_LEVEL);
  const metrics = createMetrics();
  // One in-process copy cache for both stores: they check the same config version.
  const configCache = new ConfigCache(redis, keys, { clock });
  const portals = new PortalStore(redis, keys, box, configCache);
  const lines = new LineStore(redis, keys, box, configCache);
  const messages = new MessageStore(redis, keys);
  // Webhook-API tokens are kept as HMACs: under API_TOKEN_KEY, else a key derived from SECRETS_KEY.
  const apiTokenKey =
    (config.API_TOKEN_KEY === undefined ? null : decodeKey(config.API_TOKEN_KEY)) ??
    createHmac('sha256', key).update('webhook-api-token-hmac').digest();
  const apiTokens = new ApiTokenStore(redis, keys, apiTokenKey);
  const apiMessages = new ApiMessageStore(redis, keys);
  const windows = new CustomerWindowStore(redis, keys);
  const windowFallbacks = new WindowFallbacks(redis, keys);
  const outbox = new CallbackOutbox(redis, keys, clock);
  const openLines = new OpenLineStore(redis, keys);
  const activity = new ActivityLog(redis, keys);
  /** Chat items dropped (a line switched off for a day, refused, too many waiting): noted for the settings page. */
  const noteChatDrop = createChatDropNotes({ activity, clock, log });
  const openLineOutbox = new OpenLineOutbox(redis, keys, clock, { onDropped: noteChatDrop });
  /** Links to customers' media that Bitrix24 fetches for the open-line chat (an hour). */
  const mediaSigner = createPathSigner(createHmac('sha256', key).update('open-line-media-url').digest());
  // The ordinary-message sink: the stream as before, and the open-line chat of an attached line.
  const ordinary = createOpenLineRelay({
    stream: new OrdinaryMessages(redis, keys),
    openLines,
    outbox: openLineOutbox,
    lines,
    portals,
    clock,
    log,
  });
  /** Customer messages' numbers in their open-line chats, given at the webhook doors. */
  const numberAtReceipt = createReceiptNumbering({ lines, openLines, outbox: openLineOutbox });
  /** A customer media link for the open-line chat, signed when the chat item is sent. */
  const signMedia = (ref: MediaRef) => signedMediaUrl(mediaSigner, config.PUBLIC_URL, ref, clock.now());
  // The runtime owns the pools it builds and closes them in `close()` (which: outbound-connections.ts).
  const { pools, portalPools, sendPool, addresses } = createOutboundConnections({
    allowPrivate: config.ALLOW_PRIVATE_ADDRESSES,
    guarded: options.guardConnections ?? !config.ALLOW_PRIVATE_ADDRESSES,
    resolve: options.resolve,
  });
  const hooks = new HookStore({ redis, keys, box, addresses, allowPrivate: config.ALLOW_PRIVATE_ADDRESSES });
  const events = new HookEmitter(redis, keys);
  const oauth = {
    clientId: config.B24_CLIENT_ID,
    clientSecret: config.B24_CLIENT_SECRET,
    oauthUrl: config.B24_OAUTH_URL,
  };
  const refreshTokens = createTokenRefresher({ redis, keys, portals, ...oauth, log, clock, metrics });
  const bitrix = createPortalClientFactory({
    redis,
    keys,
    portals,
    refreshTokens,
    clientId: config.B24_CLIENT_ID,
    clientSecret: config.B24_CLIENT_SECRET,
    defaultDrainPerSec: config.B24_REST_DRAIN_PER_SEC,
    defaultBurst: config.B24_REST_BURST,
    appCode: config.B24_APP_CODE ?? config.B24_CLIENT_ID,
    log,
    clock,
    ...portalPools,
  });
  const providerFor = createProviderFactory({
    graphUrl: config.WA_GRAPH_URL,
    graphVersion: config.WA_GRAPH_VERSION,
    gupshupUrl: config.GUPSHUP_API_URL,
    clock,
    log,
    dispatcher: addresses.dispatcher,
    sendPool,
    greenApiHosts: config.GREEN_API_HOSTS,
  });
  const templates = createLineTemplates({ store: new TemplateStore(redis, keys), lines, providerFor, clock, log });
  const lineSender = createLineSender({
    redis,
    keys,
    clock,
    metrics,
    providerFor,
    windowMs: options.lineWindowMs ?? 1000,
    defaultRatePerSec: config.LINE_RATE_PER_SEC,
  });
  const lineHealth = createLineHealth({
    providerFor,
    store: new LineHealthStore(redis, keys),
    lines,
    clock,
    log,
    metrics,
  });
  const queues = createQueues(options.queueRedis ?? redis, options.queuePrefix ?? config.QUEUE_PREFIX, (error) =>
    log.warn({ err: error }, 'queue connection error'),
  );
  /** Attaching lines to open lines (CLI, settings placement) and the connector's setup on install. */
  const openLineSetup = { bitrix, portals, lines, openLines, queues, publicUrl: config.PUBLIC_URL, clock, log };
  /** Deterministic but unguessable id for a value (wait ids: stable across job retries). */
  const sign = (value: string) => createHmac('sha256', key).update(value).digest('base64url').slice(0, 22);
  const waits = createWaitService({
    timeZoneOf: async (memberId, version) => {
      const portal = await portals.get(memberId, version);
      return portal ? portalTimeZone(portal) : '';
    },
    store: new WaitStore(redis, keys),
    stages: new StageReader(bitrix),
    messages,
    outbox,
    ordinary,
    sendReask: (line, message) => lineSender.sendWaiting(line, message),
    sign,
    clock,
    log,
    metrics,
  });
  const lineAdmin = createRuntimeLineAdmin({
    ...{ portals, lines, providerFor, clock, log, box, openLineSetup, queues, templates, lineHealth },
    publicUrl: config.PUBLIC_URL,
  });
  return {
    config,
    redis,
    queueRedis: options.queueRedis ?? redis,
    lineAdmin,
    activity,
    noteChatDrop,
    /** Signs the settings page's sessions (derived: one SECRETS_KEY to manage). */
    pageSessionKey: createHmac('sha256', key).update('settings-page-session').digest(),
    /** Keys the settings page's client-address digests (its windows, the known marks): a purpose of its own. */
    clientAddressKey: createHmac('sha256', key).update('settings-client-address').digest(),
    keys,
    log,
    clock,
    metrics,
    portals,
    lines,
    messages,
    apiTokens,
    apiMessages,
    ordinary,
    numberAtReceipt,
    operatorOrder: new OperatorChatOrder(redis, keys),
    windows,
    windowFallbacks,
    outbox,
    refreshTokens,
    bitrix,
    providerFor,
    templates,
    lineSender,
    lineHealth,
    queues,
    waits,
    sign,
    oauth,
    addresses,
    hooks,
    events,
    whatsapp: { appSecret: config.WA_APP_SECRET, verifyToken: config.WA_VERIFY_TOKEN },
    publicUrl: config.PUBLIC_URL,
    productPrefix: config.PRODUCT_PREFIX,
    /** The install page registers right away, to show what it did (the same work as the portal-setup job). */
    // An install or reinstall from the page (ONAPPINSTALL's path): every attachment is switched on again.
    registerNow: (memberId: string) =>
      registerPortal(
        {
          bitrix,
          portals,
          lines,
          publicUrl: config.PUBLIC_URL,
          productPrefix: config.PRODUCT_PREFIX,
          log,
          openLineSetup,
        },
        memberId,
        'install',
      ),
    openLines,
    /** A customer message's first reads in one script (workers/inbound-first-read.ts). */
    firstReads: new InboundFirstReads(redis, keys),
    openLineOutbox,
    mediaSigner,
    signMedia,
    showInChat: createBusinessMirror({ openLines, openLineOutbox, portals, clock, log }),
    /** Attaching lines to open lines (CLI, settings placement) and the connector's setup on install. */
    openLineSetup,
    defaultPhoneRegion: config.DEFAULT_PHONE_REGION,
    /** The connection pools built here (tests check they end closed). */
    pools,
    /**
     * The runtime's shutdown (runtime/close-runtime.ts): the queues, then the pools (a request on a
     * closed pool fails with a retryable PoolClosedError; one still running is cut after the grace).
     * Call it only after the workers, the dispatchers and the web server have stopped: a request cut
     * after it left is retried as "outcome unknown", so a chat message or callback may go twice.
     */
    close: runtimeCloser({ queues, pools, log }),
  };
}

export type Runtime = ReturnType<typeof createRuntime>;
