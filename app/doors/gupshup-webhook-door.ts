import { Router } from 'express';
import { endpoints } from '../../config/endpoints';
import { AppError } from '../../lib/errors/app-error';
import { gupshupInboundEvent, gupshupWebhookSchema } from '../../providers/gupshup/gupshup-inbound';
import { JSON_TYPE, jsonBody, requireMediaType } from '../middleware/body-parsers';
import { checkLineWebhookToken, type LineWebhookDoorDeps, queueLineWebhookEvent } from './line-webhook';

export type GupshupWebhookDoorDeps = LineWebhookDoorDeps;

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
    checkLineWebhookToken(deps, req, {
      line: await deps.lines.findByPhoneNumberId(hook.app),
      provider: 'gupshup',
      given: String(req.params.token ?? ''),
      refusal: 'gupshup webhook refused: bad token or unknown app',
    });
    // GupShup retries undelivered callbacks.
    await queueLineWebhookEvent(deps, res, (receivedAt) => gupshupInboundEvent(hook, receivedAt));
  });
  return router;
}
