import { Router } from 'express';
import { endpoints } from '../../config/endpoints';
import type { Clock } from '../../lib/clock';
import { AppError } from '../../lib/errors/app-error';
import { safeEqual } from '../../lib/hash';
import type { Logger } from '../../lib/logger';
import { gupshupInboundEvent, gupshupWebhookSchema } from '../../providers/gupshup/gupshup-inbound';
import { type EnqueueInboundDeps, enqueueInboundOnce } from '../../queues/enqueue-inbound-once';
import type { LineStore } from '../../store/line-store';
import { JSON_TYPE, jsonBody, requireMediaType } from '../middleware/body-parsers';

export interface GupshupWebhookDoorDeps extends EnqueueInboundDeps {
  lines: Pick<LineStore, 'findByPhoneNumberId'>;
  clock: Clock;
  log: Logger;
}

/**
 * GupShup callbacks (v2 format): GupShup signs nothing, so the line's secret is a path segment
 * (waba-wire.md §5.4); checked, deduplicated, queued, answered 200.
 */
export function createGupshupWebhookDoor(deps: GupshupWebhookDoorDeps): Router {
  const router = Router();
  router.post(endpoints.gupshupWebhook, requireMediaType(JSON_TYPE), jsonBody(), async (req, res) => {
    const parsed = gupshupWebhookSchema.safeParse(req.body);
    if (!parsed.success) throw new AppError('bad_request', 'not a GupShup callback', { kind: 'bad_input' });
    const hook = parsed.data;
    const line = await deps.lines.findByPhoneNumberId(hook.app);
    // One answer for every mismatch (unknown app, other line, wrong token): nothing to probe.
    const matches =
      line?.provider === 'gupshup' &&
      line.id === req.params.lineId &&
      line.webhookToken !== undefined &&
      safeEqual(String(req.params.token ?? ''), line.webhookToken);
    if (!matches) {
      deps.metrics.webhooks.inc({ outcome: 'bad_signature' });
      deps.log.warn({ ip: req.ip, lineId: req.params.lineId }, 'gupshup webhook refused: bad token or unknown app');
      throw new AppError('bad_token', 'webhook token does not match the line', { kind: 'unauthorized' });
    }
    const receivedAt = deps.clock.now();
    const inbound = gupshupInboundEvent(hook, receivedAt);
    if (!inbound) {
      res.json({ result: 'ignored' });
      return;
    }
    // GupShup retries undelivered callbacks: take each message/status once.
    const { key, ...job } = inbound;
    const fresh = await enqueueInboundOnce(deps, { ...job, receivedAt }, key);
    res.json({ result: fresh ? 'ok' : 'duplicate' });
  });
  return router;
}
