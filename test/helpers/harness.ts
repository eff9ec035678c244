import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { actions } from '../../actions';
import { createApp } from '../../app/create-app';
import type { SessionRequestLimits } from '../../app/settings/session-rate-limit';
import type { AppConfig } from '../../config/env-schema';
import { loadConfig } from '../../config/load-config';
import type { Clock } from '../../lib/clock';
import { randomId } from '../../lib/hash';
import { createLogger } from '../../lib/logger';
import { createRedis, type RedisClient } from '../../redis/connect';
import { createRuntime, type Runtime } from '../../runtime/create-runtime';
import { startWorkers } from '../../runtime/start-workers';
import { type BitrixPortalSimulator, createBitrixPortalSimulator } from '../../simulators/bitrix24';
import { createGupshupSimulator, type GupshupSimulator } from '../../simulators/gupshup';
import { localAppEnv } from '../../simulators/local-app-env';
import { type CloudApiSimulator, createCloudApiSimulator } from '../../simulators/whatsapp-cloud';

export const CLIENT_ID = 'local.test.app';
export const CLIENT_SECRET = 'test-client-secret';
export const APP_SECRET = 'test-meta-app-secret';
export const VERIFY_TOKEN = 'test-verify-token';
export const LINE = {
  phoneNumberId: '200000000000002',
  accessToken: 'EAAG-line-token',
  displayPhoneNumber: '79001112233',
};

export interface HarnessOptions {
  /** Worker processes to emulate (each its own runtime and connections). */
  workerInstances?: number;
  restLimit?: { drainPerSec: number; burst: number };
  throughputPerSec?: number;
  lineRatePerSec?: number;
  /** Width of the line rate window (default 1 s, as Meta counts); `lineRatePerSec` is then per window. */
  lineWindowMs?: number;
  languageId?: 'ru' | 'en';
  /** The installing user's profile TIME_ZONE ('' = automatic: only the offset, +03:00 by default). */
  portalTimeZone?: string;
  startWorkers?: boolean;
  connectLine?: boolean;
  /** A dedicated Redis (e.g. one the test restarts) or a cluster (`redis+cluster://…`); default: the run's shared one. */
  redisUrl?: string;
  /** How the portal installs the app: ONAPPINSTALL to the install URL (default), the install page (without installFinish), or not at all. */
  install?: 'event' | 'page' | 'none';
  /** The OAuth scopes the simulated portal grants (default all the app asks for). */
  portalScope?: string[];
  /** The portal's installing user (default 1). */
  installingUserId?: number;
  /** BullMQ prefix (default a hash-tagged one of the harness's own). */
  queuePrefix?: string;
  /** The injected clock of every runtime (default the system clock): a test moves time with a manual one. */
  clock?: Clock;
  /** The Cloud API and GupShup simulators' clock (their 24-hour window, inbound timestamps); default Date.now. */
  whatsappNow?: () => number;
  /** How often the time-out drain runs (default a second). */
  deadlineDrainEveryMs?: number;
  /** First retry pause of an open-line chat the portal did not take (default a second). */
  openLineRetryBaseMs?: number;
  /** Settings of the web process only (e.g. TRUST_PROXY). */
  appConfig?: Partial<AppConfig>;
  /** Settings of the worker instances only (e.g. ALLOW_PRIVATE_ADDRESSES off: the install needs it on). */
  workerConfig?: Partial<AppConfig>;
  /** Whether the worker instances' pools apply the address policy when connecting (default: as their config says). */
  workerGuardConnections?: boolean;
  /** Whose admins may open Bull Board (QUEUE_BOARD_PORTALS); default: the harness's portal (the operator's). */
  queueBoardPortals?: string[];
  /** QUEUE_BOARD_WRITABLE (default off: the board is read-only). */
  queueBoardWritable?: boolean;
  /** The settings page's windows on `profile` calls (default SESSION_REQUEST_LIMITS). */
  sessionLimits?: SessionRequestLimits;
}

export interface Harness {
  rt: Runtime;
  portal: BitrixPortalSimulator;
  whatsapp: CloudApiSimulator;
  /** The GupShup gateway (the app's GUPSHUP_API_URL); no app is connected until a test adds one. */
  gupshup: GupshupSimulator;
  appUrl: string;
  memberId: string;
  redisUrl: string;
  workerRuntimes: Runtime[];
  startWorkerInstance(): Promise<Runtime>;
  /** Stops every worker instance (as if the processes died). */
  stopWorkers(): Promise<void>;
  /** Fresh connection for direct Redis inspection (a cluster client on a cluster). */
  redis: RedisClient;
  close(): Promise<void>;
}

/**
 * Disconnects the connections still open, made with `disconnectTimeoutMs: 0` (as the harness' own):
 * ioredis' default 2 s wait for a `close`, a ref'd timer, outlives the test when the socket already
 * closed or closes twice (a subscriber closed on stop, a ready check cut by the disconnect).
 */
export function disconnectOpen(connections: readonly RedisClient[]): void {
  for (const c of connections) if (c.status !== 'end') c.disconnect();
}

/** Polls until `check` returns a value (not undefined/false) or fails after `timeoutMs`. */
export async function eventually<T>(
  check: () => T | Promise<T>,
  timeoutMs = 10_000,
  what = 'condition',
): Promise<Exclude<T, false | undefined | null>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined && value !== false && value !== null)
        return value as Exclude<T, false | undefined | null>;
    } catch (error) {
      last = error;
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}

/**
 * The real thing for integration tests: real Redis (from globalSetup), both simulators over HTTP,
 * the app on a free port, and worker instances. Each harness uses its own key and queue prefix.
 */
export async function createHarness(options: HarnessOptions = {}): Promise<Harness> {
  const redisUrl = options.redisUrl ?? process.env.TEST_REDIS_URL;
  if (!redisUrl) throw new Error('TEST_REDIS_URL is not set: run through jest (globalSetup starts redis-server)');
  const prefix = `t${randomId(4).replace(/[^a-zA-Z0-9]/g, 'x')}`;
  // Hash-tagged as production on a cluster must be (every queue key in one slot); fine on one Redis too.
  const queuePrefix = options.queuePrefix ?? `{bull-${prefix}}`;
  const portalMemberId = randomBytes(16).toString('hex');
  const portal = createBitrixPortalSimulator({
    memberId: portalMemberId,
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    languageId: options.languageId ?? 'en',
    restLimit: options.restLimit,
    installingUserId: options.installingUserId,
    timeZone: options.portalTimeZone,
    scope: options.portalScope,
  });
  const whatsapp = createCloudApiSimulator({
    appSecret: APP_SECRET,
    throughputPerSec: options.throughputPerSec ?? 80,
    now: options.whatsappNow,
  });
  const gupshup = createGupshupSimulator({ now: options.whatsappNow });
  const [{ url: portalUrl }, { url: graphUrl }, { url: gupshupUrl }] = await Promise.all([
    portal.start(0),
    whatsapp.start(0),
    gupshup.start(0),
  ]);
  whatsapp.addPhoneNumber(LINE);
  // The app's port is taken by listening on it now, not asked for and bound later: another test
  // file's simulator could be given the same free port in between, and answer for the app.
  const server: Server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the app server has no TCP address');
  const { port } = address;
  const appUrl = `http://127.0.0.1:${port}`;
  const config = loadConfig({
    ...localAppEnv({
      port,
      redisUrl,
      portalUrl,
      graphUrl,
      gupshupUrl,
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      appSecret: APP_SECRET,
      verifyToken: VERIFY_TOKEN,
      secretsKey: 'b'.repeat(64),
      logLevel: 'silent',
      lineRatePerSec: options.lineRatePerSec ?? 80,
      restLimit: options.restLimit ?? { drainPerSec: 2, burst: 50 },
    }),
    QUEUE_BOARD_PORTALS: (options.queueBoardPortals ?? [portalMemberId]).join(','),
    // The Green-API simulator listens on 127.0.0.1.
    GREEN_API_HOSTS: '*.green-api.com,*.greenapi.com,127.0.0.1',
    QUEUE_BOARD_WRITABLE: options.queueBoardWritable ? '1' : '0',
  });
  const connections: RedisClient[] = [];
  // disconnectTimeoutMs 0: see disconnectOpen.
  const connect = () => {
    const c = createRedis(redisUrl, 'worker', { disconnectTimeoutMs: 0 });
    connections.push(c);
    return c;
  };
  const log = createLogger(process.env.TEST_LOG_LEVEL ?? 'silent');
  const makeRuntime = (overrides: Partial<AppConfig> = {}, guardConnections?: boolean) =>
    createRuntime({
      config: { ...config, ...overrides },
      redis: connect(),
      log,
      keyPrefix: prefix,
      queuePrefix,
      lineWindowMs: options.lineWindowMs,
      clock: options.clock,
      guardConnections,
    });
  const rt = makeRuntime(options.appConfig);
  server.on('request', createApp({ ...rt, sessionLimits: options.sessionLimits }));
  whatsapp.setWebhook({ url: `${appUrl}/whatsapp/webhook` });
  const running: Array<{ close(): Promise<void> }> = [];
  const workerRuntimes: Runtime[] = [];
  const startWorkerInstance = async () => {
    const wrt = makeRuntime(options.workerConfig, options.workerGuardConnections);
    workerRuntimes.push(wrt);
    const deadlineDrainEveryMs = options.deadlineDrainEveryMs;
    const openLineRetryBaseMs = options.openLineRetryBaseMs;
    running.push(
      await startWorkers(wrt, {
        connection: connect,
        queuePrefix,
        concurrency: 20,
        deadlineDrainEveryMs,
        openLineRetryBaseMs,
      }),
    );
    return wrt;
  };
  if (options.startWorkers !== false)
    for (let i = 0; i < (options.workerInstances ?? 1); i += 1) await startWorkerInstance();

  const installUrl = `${appUrl}/b24/install`;
  if (options.install !== 'none') {
    const install =
      options.install === 'page'
        ? await portal.installViaPage({ installUrl, finish: false })
        : await portal.installApp({ installUrl });
    if (install.status !== 200) throw new Error(`install failed: ${install.status} ${install.body}`);
  }
  const memberId = portal.currentTokens().memberId;
  if (options.connectLine !== false) {
    await rt.lines.add({
      id: 'main',
      memberId,
      provider: 'cloud',
      phoneNumberId: LINE.phoneNumberId,
      accessToken: LINE.accessToken,
      name: 'Main line',
      createdAt: rt.clock.now(),
    });
  }
  const redis = connect();
  return {
    rt,
    portal,
    whatsapp,
    gupshup,
    appUrl,
    memberId,
    redisUrl,
    workerRuntimes,
    startWorkerInstance,
    redis,
    async stopWorkers() {
      await Promise.all(running.splice(0).map((r) => r.close()));
    },
    async close() {
      await Promise.all(running.map((r) => r.close()));
      server.closeAllConnections();
      await new Promise((r) => server.close(() => r(null)));
      await rt.close();
      for (const w of workerRuntimes) await w.close();
      await Promise.all([portal.stop(), whatsapp.stop(), gupshup.stop()]);
      disconnectOpen(connections);
    },
  };
}

/** Waits until the portal has every robot and activity registered (setup runs in a worker). */
export async function waitForRegistration(h: Harness, count: number): Promise<void> {
  await eventually(
    () => h.portal.robots().length >= count && h.portal.activities().length >= count,
    15_000,
    'registration',
  );
}

/** A harness whose portal has every action registered (robots and activities): where most tests start. */
export async function createRegisteredHarness(options: HarnessOptions = {}): Promise<Harness> {
  const h = await createHarness(options);
  await waitForRegistration(h, actions.length);
  return h;
}
