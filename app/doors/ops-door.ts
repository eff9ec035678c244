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
    // Sampled on scrape: open waits over all portals.
    let open = 0;
    for (const memberId of await rt.portals.list()) open += await rt.redis.zcard(rt.keys.openWaits(memberId));
    rt.metrics.openWaits.set(open);
    res.type(rt.metrics.registry.contentType).send(await rt.metrics.registry.metrics());
  });
  return router;
}
