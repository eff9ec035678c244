import { randomBytes } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { actions } from '../actions';
import { loadConfig } from '../config/load-config';
import { createLogger } from '../lib/logger';
import { freePort, type LocalRedisServer, startRedisServer } from '../lib/redis-server';
import { createRedis } from '../redis/connect';
import { createRuntime, type Runtime } from '../runtime/create-runtime';
import { localAppEnv } from '../simulators/local-app-env';
import { type AppProcess, startAppProcess } from '../test/faults/app-process';
import type { CpuSources } from './cpu';
import { type SimClient, startSimProcess } from './sim-client';

/** A line of the bench: a business number at the simulated Cloud API, connected on the portal. */
export interface BenchLine {
  id: string;
  phoneNumberId: string;
  accessToken: string;
}

export interface BenchSystemOptions {
  /** Worker processes kept running after the install (the install itself always has one). */
  workers: number;
  lines: number;
  /** The portal's REST limit, told to the app too. */
  restLimit: { drainPerSec: number; burst: number };
  /** Per line, at the simulated Cloud API and in the app. */
  lineRatePerSec: number;
}

/** One scenario's processes: redis-server, the simulator process, the web process and worker processes. */
export interface BenchSystem {
  sim: SimClient;
  /** The bench's own view of the same Redis (queues and stores), for setup and inspection. */
  rt: Runtime;
  appUrl: string;
  memberId: string;
  lines: BenchLine[];
  workers(): AppProcess[];
  startWorker(): Promise<AppProcess>;
  stopWorkers(): Promise<void>;
  /** The processes whose CPU the scenarios read (bench/cpu.ts). */
  cpu: CpuSources;
  /** The last output of every process (for a failure report). */
  outputs(): string;
  close(): Promise<void>;
}

const CLIENT_ID = 'local.bench.app';

/** Every system (and extra process) not yet closed: the bench closes them on SIGINT/SIGTERM too. */
export const openSystems = new Set<() => Promise<void>>();

/** SIGTERM, and SIGKILL when the graceful shutdown takes longer than `graceMs`. */
export async function stopWithin(p: AppProcess, graceMs = 2000): Promise<void> {
  const timer = setTimeout(() => void p.kill9(), graceMs);
  await p.stop();
  clearTimeout(timer);
}

async function waitUntil(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Starts everything, installs the app on the portal and connects the lines. */
export async function startBenchSystem(options: BenchSystemOptions): Promise<BenchSystem> {
  const cleanups: Array<() => Promise<void>> = [];
  const processes: AppProcess[] = [];
  const alive: AppProcess[] = [];
  let sim: SimClient | undefined;
  const outputs = () =>
    [
      ...processes.map((p) => `--- ${p.name} (pid ${p.pid}):\n${p.output().slice(-2000) || '(no output)'}`),
      sim ? `--- simulators (pid ${sim.pid}):\n${sim.output().slice(-2000) || '(no output)'}` : '',
    ].join('\n');
  const close = async () => {
    openSystems.delete(close);
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
  };
  openSystems.add(close);
  try {
    const redisServer: LocalRedisServer = await startRedisServer();
    cleanups.push(async () => {
      await redisServer.stop();
      rmSync(redisServer.dir, { recursive: true, force: true });
    });
    const simProcess = await startSimProcess();
    sim = simProcess;
    cleanups.push(() => simProcess.stop());
    const secrets = { clientSecret: randomBytes(16).toString('hex'), appSecret: randomBytes(16).toString('hex') };
    const lines: BenchLine[] = Array.from({ length: options.lines }, (_, i) => ({
      id: `line${i}`,
      phoneNumberId: `1065403522${String(i).padStart(5, '0')}`,
      accessToken: `EAAGbench${randomBytes(8).toString('hex')}${i}`,
    }));
    const { portalUrl, graphUrl } = await simProcess.call({
      cmd: 'start',
      clientId: CLIENT_ID,
      ...secrets,
      restLimit: options.restLimit,
      throughputPerSec: options.lineRatePerSec,
      lines: lines.map((l, i) => ({ ...l, displayPhoneNumber: `7900222${String(i).padStart(4, '0')}` })),
    });
    const port = await freePort();
    const env = localAppEnv({
      port,
      redisUrl: redisServer.url,
      portalUrl,
      graphUrl,
      clientId: CLIENT_ID,
      ...secrets,
      verifyToken: randomBytes(8).toString('hex'),
      secretsKey: randomBytes(32).toString('hex'),
      logLevel: process.env.BENCH_LOG_LEVEL ?? 'error',
      lineRatePerSec: options.lineRatePerSec,
      restLimit: options.restLimit,
    });
    const appUrl = env.PUBLIC_URL ?? '';
    const redis = createRedis(redisServer.url, 'worker');
    redis.on('error', () => undefined);
    const rt = createRuntime({ config: loadConfig(env), redis, log: createLogger('silent') });
    cleanups.push(async () => {
      await rt.close();
      redis.disconnect();
    });
    cleanups.push(async () => {
      await Promise.all(processes.map((p) => stopWithin(p)));
      // BENCH_KEEP_LOGS=<dir>: each process's output (the last 200 KB), e.g. with BENCH_LOG_LEVEL=info.
      const keep = process.env.BENCH_KEEP_LOGS;
      if (keep) for (const p of processes) writeFileSync(join(keep, `${p.name}-${p.pid}.log`), p.output());
    });
    // BENCH_PROFILE_DIR=<dir>: CPU profiles of the web and worker processes (open in Chrome devtools).
    // BENCH_NODE_ARGS: more Node flags for them, e.g. `--require ./bench/loop-delay.cjs` (event-loop
    // delay, written to BENCH_LOOP_DELAY_DIR).
    const profileDir = process.env.BENCH_PROFILE_DIR;
    const nodeArgs = [
      ...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []),
      ...(process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean),
    ];
    const loopDelayDir = process.env.BENCH_LOOP_DELAY_DIR;
    if (loopDelayDir) env.BENCH_LOOP_DELAY_DIR = loopDelayDir;
    const web = startAppProcess('web', 'app/main.ts', env, nodeArgs);
    processes.push(web);
    let started = 0;
    const startWorker = async () => {
      const metricsPort = await freePort();
      const worker = startAppProcess(
        `worker-${++started}`,
        'workers/main.ts',
        {
          ...env,
          WORKER_METRICS_PORT: String(metricsPort),
        },
        nodeArgs,
      );
      processes.push(worker);
      alive.push(worker);
      await waitUntil(
        `${worker.name} to serve /metrics`,
        async () => {
          if (!worker.running()) throw new Error(`${worker.name} exited:\n${worker.output().slice(-2000)}`);
          return (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).ok;
        },
        60_000,
      );
      return worker;
    };
    await Promise.all([
      startWorker(),
      waitUntil('the web process to answer /healthz', async () => (await fetch(`${appUrl}/healthz`)).ok, 60_000),
    ]);
    const { memberId } = await simProcess.call({ cmd: 'install', appUrl, registrations: actions.length * 2 }, 90_000);
    for (const line of lines)
      await rt.lines.add({ ...line, memberId, provider: 'cloud', name: line.id, createdAt: rt.clock.now() });
    const stopWorkers = async () => {
      await Promise.all(alive.splice(0).map((w) => stopWithin(w)));
    };
    while (alive.length < options.workers) await startWorker();
    if (options.workers === 0) await stopWorkers();
    return {
      sim: simProcess,
      rt,
      appUrl,
      memberId,
      lines,
      workers: () => [...alive],
      startWorker,
      stopWorkers,
      cpu: {
        workerPids: () => alive.map((w) => w.pid),
        webPid: web.pid,
        simulatorsPid: simProcess.pid,
        redisInfoCpu: () => rt.redis.info('cpu'),
      },
      outputs,
      close,
    };
  } catch (error) {
    const detail = outputs();
    await close();
    throw new Error(`${error instanceof Error ? error.message : String(error)}\n${detail}`);
  }
}
