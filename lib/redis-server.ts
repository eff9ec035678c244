import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemClock } from './clock';

/** A local `redis-server` started by the project (tests, demo, bench): AOF on, noeviction. */
export interface LocalRedisServer {
  url: string;
  port: number;
  dir: string;
  /**
   * Stops the process (SIGTERM: AOF is flushed) and starts it again on the same port and data;
   * `whileDown` runs in between (a fault test probes the app while Redis is gone).
   */
  restart(whileDown?: () => Promise<void>): Promise<void>;
  stop(): Promise<void>;
}

const searchPaths = ['/usr/bin/redis-server', '/usr/local/bin/redis-server', '/usr/sbin/redis-server'];

/** Finds redis-server; installs the Debian package when missing and we are root. */
export function ensureRedisServerBinary(log: (line: string) => void = () => {}): string {
  const found = searchPaths.find((p) => existsSync(p));
  if (found) return found;
  const which = spawnSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' });
  if (which.status === 0 && which.stdout.trim()) return which.stdout.trim();
  if (process.getuid?.() !== 0) {
    throw new Error(
      'redis-server is not installed. Install it with: sudo apt-get update && sudo apt-get install -y redis-server',
    );
  }
  log('redis-server is missing: installing the Debian package (apt-get install redis-server)…');
  const install = spawnSync(
    'sh',
    ['-c', 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server'],
    { stdio: 'inherit' },
  );
  if (install.status !== 0) throw new Error('apt-get install redis-server failed; install it by hand and retry');
  const after = searchPaths.find((p) => existsSync(p));
  if (!after) throw new Error('redis-server still not found after installing the package');
  return after;
}

/** Asks the OS for a free TCP port on loopback. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function waitForPong(port: number, child: ChildProcess, timeoutMs = 10000): Promise<void> {
  const { Redis } = await import('ioredis');
  // A real process starting: real time, whatever clock the app under test runs on.
  const deadline = systemClock.now() + timeoutMs;
  while (systemClock.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`redis-server exited with code ${child.exitCode}`);
    const probe = new Redis({
      port,
      host: '127.0.0.1',
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    probe.on('error', () => {});
    try {
      await probe.connect();
      if ((await probe.ping()) === 'PONG') {
        probe.disconnect();
        return;
      }
    } catch {
      /* not up yet */
    }
    // A refused probe has ended (no retries): disconnecting it again would arm ioredis' 2 s wait for
    // a close already past, a ref'd timer that holds the process after the server is stopped.
    if (probe.status !== 'end') probe.disconnect();
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`redis-server did not answer on port ${port} within ${timeoutMs} ms`);
}

/** Starts a throw-away redis-server on a free port with AOF (`appendfsync everysec`) and noeviction. */
export async function startRedisServer(
  options: { port?: number; dir?: string; log?: (line: string) => void } = {},
): Promise<LocalRedisServer> {
  const binary = ensureRedisServerBinary(options.log);
  const port = options.port ?? (await freePort());
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'wa-redis-'));
  const args = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--dir',
    dir,
    '--appendonly',
    'yes',
    '--appendfsync',
    'everysec',
    '--maxmemory-policy',
    'noeviction',
    '--save',
    '',
    '--protected-mode',
    'yes',
    '--daemonize',
    'no',
    '--loglevel',
    'warning',
  ];
  let child: ChildProcess = spawn(binary, args, { stdio: 'ignore' });
  await waitForPong(port, child);
  const stopChild = async (): Promise<void> => {
    if (child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  };
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    dir,
    async restart(whileDown) {
      await stopChild();
      await whileDown?.();
      child = spawn(binary, args, { stdio: 'ignore' });
      await waitForPong(port, child);
    },
    stop: stopChild,
  };
}
