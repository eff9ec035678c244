import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resourcesLeft } from '../../helpers/child-script';

/**
 * What is left to hold a process that starts a throw-away redis-server (lib/redis-server.ts),
 * restarts and stops it. The probes refused while the server was starting again must leave nothing
 * behind (a second disconnect of one armed ioredis' 2 s wait). It checks right after the stop, well
 * within those 2 s, unless the restart and stop themselves take longer (about 10 ms here).
 */
async function leftAfterStop(dir: string): Promise<string[]> {
  const serverModule = join(__dirname, '../../../lib/redis-server.ts');
  const script = `
    const { startRedisServer } = require(${JSON.stringify(serverModule)});
    startRedisServer({ dir: process.argv[1] }).then(async (server) => {
      // Restarted: its first probes come before the new process listens, and are refused.
      await server.restart();
      await server.stop();
      printResourcesLeft();
    });`;
  return resourcesLeft(script, [dir]);
}

describe('a throw-away redis-server', () => {
  it('started, restarted and stopped: no timer is left to hold its process', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wa-redis-exit-'));
    try {
      expect(await leftAfterStop(dir)).not.toContain('Timeout');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
