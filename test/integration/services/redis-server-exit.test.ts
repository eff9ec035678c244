import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

/**
 * A process that starts a throw-away redis-server (lib/redis-server.ts), restarts and stops it: how
 * long it takes to exit once the server has stopped. It exits once nothing holds it; the probes
 * refused while the server was starting must leave nothing behind.
 */
async function exitAfterStop(): Promise<number> {
  const module = join(__dirname, '../../../lib/redis-server.ts');
  const script = `
    const { startRedisServer } = require(${JSON.stringify(module)});
    startRedisServer().then(async (server) => {
      // Restarted: its first probes come before the new process listens, and are refused.
      await server.restart();
      await server.stop();
      process.stdout.write('stopped\\n');
    });`;
  const child = spawn(process.execPath, ['--import', 'tsx', '-e', script]);
  let stoppedAt: number | undefined;
  child.stdout.on('data', () => {
    stoppedAt ??= performance.now();
  });
  const code = await new Promise((resolve) => child.once('exit', resolve));
  if (code !== 0 || stoppedAt === undefined) throw new Error(`the process failed (exit ${String(code)})`);
  return performance.now() - stoppedAt;
}

describe('a throw-away redis-server', () => {
  it('started, restarted and stopped: nothing holds its process (a refused probe is disconnected once)', async () => {
    expect(await exitAfterStop()).toBeLessThan(1000);
  });
});
