import { Router } from 'express';
import type { Runtime } from '../../runtime/create-runtime';
import { endpoints } from '../endpoints';

/** Health (Redis reachable) and Prometheus metrics. */
export function createOpsDoor(rt: Runtime): Router {
  const router = Router();
  router.get(endpoints.health, async (_req, res) => {
    try {
      const pong = await rt.redis.ping();
      res.json({ status: 'ok', redis: pong === 'PONG' });
    } catch (error) {
      res.status(503).json({ status: 'unavailable', redis: false, error: error instanceof Error ? error.message : String(error) });
    }
  });
  router.get(endpoints.metrics, async (_req, res) => {
    // Sampled on scrape from Redis, so this process shows the whole system's backlog; the workers'
    // own counters are on their WORKER_METRICS_PORT.
    let open = 0;
    let callbacks = 0;
    for (const memberId of await rt.portals.list()) {
      open += await rt.redis.zcard(rt.keys.openWaits(memberId));
      callbacks += await rt.redis.hlen(rt.keys.callbackPending(memberId));
    }
    rt.metrics.openWaits.set(open);
    rt.metrics.pendingCallbacks.set(callbacks);
    for (const queue of [rt.queues.runAction, rt.queues.inbound, rt.queues.waitTimeout, rt.queues.bitrixEvent, rt.queues.portalSetup]) {
      const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'failed');
      for (const [state, count] of Object.entries(counts)) rt.metrics.queueJobs.set({ queue: queue.name, state }, count);
    }
    res.type(rt.metrics.registry.contentType).send(await rt.metrics.registry.metrics());
  });
  return router;
}
