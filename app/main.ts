import { loadConfigOrExit } from '../config/load-config';
import { onShutdown } from '../lib/on-shutdown';
import { waitReady } from '../redis/connect';
import { createRuntime } from '../runtime/create-runtime';
import { createApp } from './create-app';
import { createWebConnections } from './web-connections';
import { startWebServer } from './web-server';

/**
 * The shutdown's one budget: the stop waits this long for the calls in progress (a robot call waits
 * on Redis only: well under this), and the outbound pools get what is left of it for their requests
 * still running: one budget, not the stop's and then the pools' own 10 s (README: the stop timeout).
 */
const STOP_TIMEOUT_MS = 10_000;

/** `npm start`: the HTTP process (doors only; run `npm run worker` beside it). */
async function main(): Promise<void> {
  const config = loadConfigOrExit();
  // Fail fast: with Redis down or not ready a robot call gets a 503 at once (and Bitrix24 shows the
  // error), never a request hanging until the portal gives up.
  const { redis, queueRedis } = createWebConnections(config.REDIS_URL);
  await Promise.all([waitReady(redis, 30_000), waitReady(queueRedis, 30_000)]);
  const rt = createRuntime({ config, redis, queueRedis });
  const web = await startWebServer(createApp(rt), { port: config.PORT, log: rt.log }).catch((error: unknown) => {
    // A web process that cannot listen serves nothing: stop, so the supervisor sees it and says why.
    rt.log.fatal({ err: error, port: config.PORT }, 'http server cannot listen');
    process.exit(1);
  });
  rt.log.info({ port: config.PORT, publicUrl: config.PUBLIC_URL }, 'http server listening');
  onShutdown(async () => {
    // The calls in progress are answered once queued: the queues close after them.
    const deadline = rt.clock.now() + STOP_TIMEOUT_MS;
    const outcome = await web.stop(STOP_TIMEOUT_MS);
    if (outcome === 'cut') rt.log.warn({ timeoutMs: STOP_TIMEOUT_MS }, 'http server stopped with calls still open');
    await rt.close({ poolGraceMs: Math.max(0, deadline - rt.clock.now()) });
    redis.disconnect();
    queueRedis.disconnect();
  });
}

void main();
