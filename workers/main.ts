import express from 'express';
import { loadConfigOrExit } from '../config/load-config';
import { onShutdown } from '../lib/on-shutdown';
import { createRedis, createSubscriberRedis } from '../redis/connect';
import { createRuntime } from '../runtime/create-runtime';
import { startWorkers } from '../runtime/start-workers';

/** `npm run worker`: all workers; start as many processes as you like. */
async function main(): Promise<void> {
  const config = loadConfigOrExit();
  // Shared by every job's stores; the queues' producers have their own (runtime/create-runtime.ts
  // says why), and BullMQ's workers theirs (startWorkers: blocking commands).
  const redis = createRedis(config.REDIS_URL, 'worker');
  const queueRedis = createRedis(config.REDIS_URL, 'worker');
  const rt = createRuntime({ config, redis, queueRedis });
  const running = await startWorkers(rt, {
    connection: () => createRedis(config.REDIS_URL, 'worker'),
    subscriberConnection: () => createSubscriberRedis(config.REDIS_URL),
  });
  rt.log.info('workers started');
  const { registry } = rt.metrics;
  const metricsServer = config.WORKER_METRICS_PORT
    ? express()
        .get('/metrics', async (_req, res) => {
          res.type(registry.contentType).send(await registry.metrics());
        })
        .listen(config.WORKER_METRICS_PORT)
    : null;
  onShutdown(async () => {
    metricsServer?.close();
    await running.close();
    await rt.close();
    redis.disconnect();
    queueRedis.disconnect();
  });
}

void main();
