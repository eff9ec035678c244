import { Router } from 'express';
import { endpoints } from '../../config/endpoints';
import type { Clock } from '../../lib/clock';
import { AppError } from '../../lib/errors/app-error';
import { safeEqual } from '../../lib/hash';
import type { Logger } from '../../lib/logger';
import { greenApiInboundEvent, greenApiWebhookSchema } from '../../providers/green-api/green-api-inbound';
import { type EnqueueInboundDeps, enqueueInboundOnce } from '../../queues/enqueue-inbound-once';
import type { LineStore } from '../../store/line-store';
import { JSON_TYPE, jsonBody, requireMediaType } from '../middleware/body-parsers';

export interface GreenApiWebhookDoorDeps extends EnqueueInboundDeps {
  lines: Pick<LineStore, 'findByPhoneNumberId'>;
  clock: Clock;
  log: Logger;
}

/** Green-API webhooks: the line's webhookUrlToken checked (Authorization: Bearer), deduplicated, queued, answered 200. */
export function createGreenApiWebhookDoor(deps: GreenApiWebhookDoorDeps): Router {
  const router = Router();
  router.post(endpoints.greenApiWebhook, requireMediaType(JSON_TYPE), jsonBody(), async (req, res) => {
    const parsed = greenApiWebhookSchema.safeParse(req.body);
    if (!parsed.success) throw new AppError('bad_request', 'not a Green-API notification', { kind: 'bad_input' });
    const hook = parsed.data;
    const line = await deps.lines.findByPhoneNumberId(String(hook.instanceData.idInstance));
    const given = (req.header('authorization') ?? '').replace(/^Bearer\s+/i, '');
    // One answer for every mismatch (unknown instance, other line, wrong token): nothing to probe.
    const matches =
      line?.provider === 'green-api' &&
      line.id === req.params.lineId &&
      line.webhookToken !== undefined &&
      safeEqual(given, line.webhookToken);
    if (!matches) {
      deps.metrics.webhooks.inc({ outcome: 'bad_signature' });
      deps.log.warn(
        { ip: req.ip, lineId: req.params.lineId },
        'green-api webhook refused: bad token or unknown instance',
      );
      throw new AppError('bad_token', 'webhook token does not match the line', { kind: 'unauthorized' });
    }
    const receivedAt = deps.clock.now();
    const inbound = greenApiInboundEvent(hook, receivedAt);
    if (!inbound) {
      res.json({ result: 'ignored' });
      return;
    }
    // Green-API retries undelivered notifications: take each message/status once.
    const { key, ...job } = inbound;
    const fresh = await enqueueInboundOnce(deps, { ...job, receivedAt }, key);
    res.json({ result: fresh ? 'ok' : 'duplicate' });
  });
  return router;
}
