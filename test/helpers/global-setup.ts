import { type LocalRedisServer, startRedisServer } from '../../lib/redis-server';

declare global {
  var __testRedis: LocalRedisServer | undefined;
}

/** One throw-away redis-server for the whole run; each test file uses its own key prefix. */
export default async function globalSetup(): Promise<void> {
  // Projects that share it (integration, e2e) each run it: the first one's server serves all.
  if (globalThis.__testRedis) return;
  const server = await startRedisServer({ log: (line) => process.stdout.write(`${line}\n`) });
  globalThis.__testRedis = server;
  process.env.TEST_REDIS_URL = server.url;
  process.env.TEST_REDIS_PORT = String(server.port);
  process.env.TEST_REDIS_DIR = server.dir;
}
