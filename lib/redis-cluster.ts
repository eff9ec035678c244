import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { systemClock } from './clock';
import { ensureRedisServerBinary, freePort } from './redis-server';

/** A throw-away Redis Cluster of local masters (tests, bench): no persistence, no replicas. */
export interface LocalRedisCluster {
  /** `redis+cluster://127.0.0.1:P1,127.0.0.1:P2,…` — what REDIS_URL takes for a cluster. */
  url: string;
  ports: number[];
  stop(): Promise<void>;
}

/** redis-cli ships beside redis-server (the Debian package has both). */
function redisCliBinary(serverBinary: string): string {
  const beside = join(dirname(serverBinary), 'redis-cli');
  if (existsSync(beside)) return beside;
  const which = spawnSync('sh', ['-c', 'command -v redis-cli'], { encoding: 'utf8' });
  if (which.status === 0 && which.stdout.trim()) return which.stdout.trim();
  throw new Error('redis-cli is not installed (it comes with the redis-server / redis-tools package)');
}

function cli(binary: string, args: string[]): { ok: boolean; out: string } {
  const run = spawnSync(binary, args, { encoding: 'utf8', timeout: 30_000 });
  return { ok: run.status === 0, out: `${run.stdout ?? ''}${run.stderr ?? ''}` };
}

/** Polls `check` on real time (real processes starting) until it is true. */
async function until(what: string, timeoutMs: number, check: () => boolean): Promise<void> {
  const deadline = systemClock.now() + timeoutMs;
  while (systemClock.now() < deadline) {
    if (check()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`local Redis Cluster: ${what} within ${timeoutMs} ms`);
}

/**
 * Starts `masters` redis-server processes with cluster mode on (free ports, one temp dir each),
 * joins them with `redis-cli --cluster create … --cluster-replicas 0` and waits until every node
 * reports `cluster_state:ok`. `stop()` kills the processes and removes the directories.
 */
export async function startRedisCluster(
  options: { masters?: number; log?: (line: string) => void } = {},
): Promise<LocalRedisCluster> {
  const masters = options.masters ?? 3;
  if (masters < 3) throw new Error('a Redis Cluster needs at least 3 masters');
  const server = ensureRedisServerBinary(options.log);
  const redisCli = redisCliBinary(server);
  const ports: number[] = [];
  while (ports.length < masters) {
    const port = await freePort();
    // The cluster bus listens on port + 10000: keep it under 65536 and the ports distinct.
    if (port + 10000 < 65536 && !ports.includes(port)) ports.push(port);
  }
  const dirs = ports.map(() => mkdtempSync(join(tmpdir(), 'wa-redis-cluster-')));
  const children: ChildProcess[] = ports.map((port, i) =>
    spawn(
      server,
      [
        ...['--port', String(port), '--bind', '127.0.0.1', '--dir', dirs[i] ?? tmpdir()],
        ...['--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf', '--cluster-node-timeout', '5000'],
        ...['--appendonly', 'no', '--save', '', '--maxmemory-policy', 'noeviction', '--loglevel', 'warning'],
        ...['--daemonize', 'no'],
      ],
      { stdio: 'ignore' },
    ),
  );
  const stop = async (): Promise<void> => {
    await Promise.all(
      children.map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            child.once('exit', () => resolve());
            child.kill('SIGKILL');
          }),
      ),
    );
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (const [i, port] of ports.entries()) {
      await until(`node ${port} did not answer PING`, 10_000, () => {
        if (children[i]?.exitCode !== null) throw new Error(`redis-server on ${port} exited`);
        return cli(redisCli, ['-p', String(port), 'ping']).out.includes('PONG');
      });
    }
    const create = cli(redisCli, [
      '--cluster',
      'create',
      ...ports.map((port) => `127.0.0.1:${port}`),
      '--cluster-replicas',
      '0',
      '--cluster-yes',
    ]);
    if (!create.ok) throw new Error(`redis-cli --cluster create failed:\n${create.out}`);
    for (const port of ports) {
      await until(`node ${port} never reached cluster_state:ok`, 20_000, () =>
        cli(redisCli, ['-p', String(port), 'cluster', 'info']).out.includes('cluster_state:ok'),
      );
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { url: `redis+cluster://${ports.map((port) => `127.0.0.1:${port}`).join(',')}`, ports, stop };
}
