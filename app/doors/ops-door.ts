import { Router } from 'express';
import { endpoints } from '../../config/endpoints';
import type { Logger } from '../../lib/logger';
import type { Metrics } from '../../lib/metrics';
import type { Queues } from '../../queues/create-queues';
import type { RedisClient } from '../../redis/connect';
import type { RedisKeys } from '../../redis/keys';
import type { PortalStore } from '../../store/portal-store';

export interface OpsDoorDeps {
  redis: RedisClient;
  /** The queues' own connection (every robot call and webhook needs it too). */
  queueRedis: RedisClient;
  keys: RedisKeys;
  portals: Pick<PortalStore, 'list'>;
  queues: Pick<
    Queues,
    'runAction' | 'inbound' | 'waitTimeout' | 'waitDeadlines' | 'bitrixEvent' | 'portalSetup' | 'maintenance'
  >;
  metrics: Pick<Metrics, 'registry' | 'openWaits' | 'pendingCallbacks' | 'queueJobs'>;
  log: Logger;
}

/** Health (Redis reachable on both connections) and Prometheus metrics. */
export function createOpsDoor(deps: OpsDoorDeps): Router {
  const router = Router();
  const { metrics } = deps;
  router.get(endpoints.health, async (_req, res) => {
    try {
      // Both: they reconnect on their own schedules, and a door needs the one as much as the other.
      const pongs = await Promise.all([deps.redis.ping(), deps.queueRedis.ping()]);
      res.json({ status: 'ok', redis: pongs.every((pong) => pong === 'PONG') });
    } catch (error) {
      // The reason goes to the log, not to whoever asks.
      deps.log.warn({ err: error }, 'health check: redis unavailable');
      res.status(503).json({ status: 'unavailable', redis: false });
    }
  });
  router.get(endpoints.metrics, async (_req, res) => {
    // Sampled on scrape from Redis, so this process shows the whole system's backlog; the workers'
    // own counters are on their WORKER_METRICS_PORT.
    let open = 0;
    let callbacks = 0;
    for (const memberId of await deps.portals.list()) {
      open += await deps.redis.zcard(deps.keys.openWaits(memberId));
      callbacks += await deps.redis.hlen(deps.keys.callbackPending(memberId));
    }
    metrics.openWaits.set(open);
    metrics.pendingCallbacks.set(callbacks);
    const { runAction, inbound, waitTimeout, waitDeadlines, bitrixEvent, portalSetup, maintenance } = deps.queues;
    for (const queue of [runAction, inbound, waitTimeout, waitDeadlines, bitrixEvent, portalSetup, maintenance]) {
      const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'failed');
      for (const [state, count] of Object.entries(counts)) metrics.queueJobs.set({ queue: queue.name, state }, count);
    }
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
  return router;
}
