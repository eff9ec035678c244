import { randomBytes } from 'node:crypto';
import { actions } from '../../actions';
import { loadConfig } from '../../config/load-config';
import { createLogger } from '../../lib/logger';
import { freePort, type LocalRedisServer, startRedisServer } from '../../lib/redis-server';
import { createRedis } from '../../redis/connect';
import { createRuntime, type Runtime } from '../../runtime/create-runtime';
import { type BitrixPortalSimulator, createBitrixPortalSimulator } from '../../simulators/bitrix24';
import { localAppEnv } from '../../simulators/local-app-env';
import { type CloudApiSimulator, createCloudApiSimulator } from '../../simulators/whatsapp-cloud';
import { pollUntil } from '../helpers/poll';
import { type AppProcess, startAppProcess } from './app-process';

/** A WhatsApp line of the system: a business number at the Cloud API simulator, connected on the portal. */
export interface FaultLine {
  id: string;
  phoneNumberId: string;
  accessToken: string;
}

export interface FaultSystemOptions {
  workers: number;
  /** The portal's REST limit, told to the app too (default: Bitrix24's 2/s, burst 50). */
  restLimit?: { drainPerSec: number; burst: number };
  lineIds?: string[];
  /** Node flags for the worker processes (a CPU profile: `--cpu-prof`). */
  workerNodeArgs?: string[];
}

/**
 * The app as it runs in production, on this machine only: a throw-away redis-server with AOF, the
 * web process and worker processes (real processes, `node --import tsx`), and the Bitrix24 and Cloud
 * API simulators in this process, which the app's processes reach by URL on 127.0.0.1.
 */
export interface FaultSystem {
  redisServer: LocalRedisServer;
  portal: BitrixPortalSimulator;
  whatsapp: CloudApiSimulator;
  /** This process's view of the same Redis: queues and stores, for connecting lines and for inspection. */
  rt: Runtime;
  appUrl: string;
  memberId: string;
  lines: FaultLine[];
  web: AppProcess;
  /** The worker processes alive now. */
  workers(): AppProcess[];
  /** Starts one more worker process; resolves when it serves its /metrics (its workers are running). */
  startWorker(): Promise<AppProcess>;
  /** kill -9 of one worker process. */
  killWorker(worker: AppProcess): Promise<void>;
  /** The last lines each process printed (for a failure report). */
  outputs(): string;
  close(): Promise<void>;
}

const CLIENT_ID = 'local.faults.app';

/** Starts everything and installs the app on the portal with its lines connected. */
export async function startFaultSystem(options: FaultSystemOptions): Promise<FaultSystem> {
  const cleanups: Array<() => Promise<void>> = [];
  const closeAll = async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
  };
  try {
    const redisServer = await startRedisServer();
    cleanups.push(() => redisServer.stop());
    const clientSecret = randomBytes(16).toString('hex');
    const appSecret = randomBytes(16).toString('hex');
    const restLimit = options.restLimit ?? { drainPerSec: 2, burst: 50 };
    const portal = createBitrixPortalSimulator({ clientId: CLIENT_ID, clientSecret, languageId: 'en', restLimit });
    const whatsapp = createCloudApiSimulator({ appSecret, throughputPerSec: 80 });
    const [{ url: portalUrl }, { url: graphUrl }] = await Promise.all([portal.start(0), whatsapp.start(0)]);
    cleanups.push(
      () => portal.stop(),
      () => whatsapp.stop(),
    );
    const port = await freePort();
    const appUrl = `http://127.0.0.1:${port}`;
    const env = localAppEnv({
      port,
      redisUrl: redisServer.url,
      portalUrl,
      graphUrl,
      clientId: CLIENT_ID,
      clientSecret,
      appSecret,
      verifyToken: randomBytes(8).toString('hex'),
      secretsKey: randomBytes(32).toString('hex'),
      logLevel: process.env.FAULTS_LOG_LEVEL ?? 'warn',
      lineRatePerSec: 80,
      restLimit,
    });
    const rtRedis = createRedis(redisServer.url, 'worker');
    rtRedis.on('error', () => undefined);
    const rt = createRuntime({ config: loadConfig(env), redis: rtRedis, log: createLogger('silent') });
    cleanups.push(async () => {
      await rt.close();
      rtRedis.disconnect();
    });

    const web = startAppProcess('web', 'app/main.ts', env);
    cleanups.push(() => web.stop());
    const alive: AppProcess[] = [];
    const everyProcess: AppProcess[] = [web];
    cleanups.push(async () => {
      await Promise.all(alive.map((w) => w.stop()));
    });
    let started = 0;
    const startWorker = async () => {
      const metricsPort = await freePort();
      const worker = startAppProcess(
        `worker-${++started}`,
        'workers/main.ts',
        { ...env, WORKER_METRICS_PORT: String(metricsPort) },
        options.workerNodeArgs,
      );
      alive.push(worker);
      everyProcess.push(worker);
      await pollUntil(
        async () => {
          if (!worker.running()) throw new Error(`${worker.name} exited:\n${worker.output().slice(-2000)}`);
          return (await fetch(`http://127.0.0.1:${metricsPort}/metrics`).catch(() => null))?.ok;
        },
        60_000,
        `${worker.name} to serve /metrics`,
        100,
      );
      return worker;
    };
    await Promise.all(Array.from({ length: options.workers }, () => startWorker()));
    await pollUntil(
      async () => (await fetch(`${appUrl}/healthz`).catch(() => null))?.ok,
      60_000,
      'the web process to answer /healthz',
      100,
    );

    const install = await portal.installApp({ installUrl: `${appUrl}/b24/install` });
    if (install.status !== 200) throw new Error(`install answered ${install.status}: ${install.body}`);
    await pollUntil(
      () => portal.robots().length === actions.length && portal.activities().length === actions.length,
      30_000,
      'robots and activities registered',
      50,
    );
    const memberId = portal.currentTokens().memberId;
    whatsapp.setWebhook({ url: `${appUrl}/whatsapp/webhook` });
    const lines: FaultLine[] = [];
    for (const [i, id] of (options.lineIds ?? ['main']).entries()) {
      const line = { id, phoneNumberId: `10654035224${String(i).padStart(4, '0')}`, accessToken: `EAAG${id}${i}` };
      whatsapp.addPhoneNumber({ ...line, displayPhoneNumber: `7900111${String(i).padStart(4, '0')}` });
      await rt.lines.add({ ...line, memberId, provider: 'cloud', name: id, createdAt: rt.clock.now() });
      lines.push(line);
    }

    return {
      redisServer,
      portal,
      whatsapp,
      rt,
      appUrl,
      memberId,
      lines,
      web,
      workers: () => [...alive],
      startWorker,
      async killWorker(worker) {
        await worker.kill9();
        alive.splice(alive.indexOf(worker), 1);
      },
      outputs: () =>
        everyProcess
          .map((p) => `--- ${p.name} (pid ${p.pid}), last output:\n${p.output().slice(-3000) || '(none)'}`)
          .join('\n'),
      close: closeAll,
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
}
