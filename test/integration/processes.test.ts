import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { freePort } from '../../lib/redis-server';
import { productionNodeFlags } from '../faults/app-process';
import { eventually } from '../helpers/harness';

const root = join(__dirname, '..', '..');

function run(
  script: string,
  env: Record<string, string>,
): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  let output = '';
  // node --import tsx with npm start/worker's flags, as they run: the tsx CLI's signal relay SIGKILLs a child that
  // has not acknowledged SIGTERM within 30 ms, which a loaded machine misses (exit 143).
  const child = spawn(process.execPath, [...productionNodeFlags(script), '--import', 'tsx', script], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', ...env },
  });
  child.stdout?.on('data', (d: Buffer) => {
    output += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    output += d.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

const baseEnv = () => ({
  REDIS_URL: process.env.TEST_REDIS_URL ?? '',
  PUBLIC_URL: 'https://wa.example.com',
  B24_CLIENT_ID: 'local.x',
  B24_CLIENT_SECRET: 'secret',
  WA_APP_SECRET: 'app-secret-1',
  WA_VERIFY_TOKEN: 'verify-token-1',
  SECRETS_KEY: 'c'.repeat(64),
  LOG_LEVEL: 'info',
});

describe('processes', () => {
  it('npm start refuses a bad environment with exit 1, naming the variable', async () => {
    const { exited, output } = run('app/main.ts', { ...baseEnv(), SECRETS_KEY: 'nope', WA_VERIFY_TOKEN: '' });
    expect(await exited).toBe(1);
    expect(output()).toMatch(/SECRETS_KEY: must be 32 bytes/);
    expect(output()).toMatch(/WA_VERIFY_TOKEN/);
  });

  it('npm start on a port already taken logs why and exits 1, never "listening"', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, resolve));
    try {
      const { port } = taken.address() as AddressInfo; // listen(0): always an AddressInfo
      const { exited, output } = run('app/main.ts', { ...baseEnv(), PORT: String(port) });
      expect(await exited).toBe(1);
      expect(output()).toMatch(/"msg":"http server cannot listen"/);
      expect(output()).toMatch(/EADDRINUSE/);
      expect(output()).not.toMatch(/http server listening/);
    } finally {
      taken.close();
    }
  });

  it('npm start serves /healthz; npm run worker starts and stops on SIGTERM', async () => {
    const port = await freePort();
    const web = run('app/main.ts', { ...baseEnv(), PORT: String(port) });
    const metricsPort = await freePort();
    const worker = run('workers/main.ts', { ...baseEnv(), WORKER_METRICS_PORT: String(metricsPort) });
    try {
      const health = await eventually(
        async () => {
          const response = await fetch(`http://127.0.0.1:${port}/healthz`);
          return response.ok ? response.json() : undefined;
        },
        30_000,
        'web process',
      );
      expect(health).toEqual({ status: 'ok', redis: true });
      await eventually(() => worker.output().includes('workers started'), 30_000, 'worker process');
      const workerMetrics = await eventually(
        async () => (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text(),
        10_000,
        'worker metrics',
      );
      expect(workerMetrics).toMatch(/# TYPE wa_sends_total counter/);
    } finally {
      web.child.kill('SIGTERM');
      worker.child.kill('SIGTERM');
    }
    expect(await worker.exited).toBe(0);
    expect(await web.exited).toBe(0);
  });
});
