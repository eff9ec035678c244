import { Router } from 'express';
import { endpoints } from '../../config/endpoints';
import { AppError } from '../../lib/errors/app-error';
import { greenApiInboundEvent, greenApiWebhookSchema } from '../../providers/green-api/green-api-inbound';
import { JSON_TYPE, jsonBody, requireMediaType } from '../middleware/body-parsers';
import { checkLineWebhookToken, type LineWebhookDoorDeps, queueLineWebhookEvent } from './line-webhook';

export type GreenApiWebhookDoorDeps = LineWebhookDoorDeps;

/** Green-API webhooks: the line's webhookUrlToken checked (Authorization: Bearer), deduplicated, queued, answered 200. */
export function createGreenApiWebhookDoor(deps: GreenApiWebhookDoorDeps): Router {
  const router = Router();
  router.post(endpoints.greenApiWebhook, requireMediaType(JSON_TYPE), jsonBody(), async (req, res) => {
    const parsed = greenApiWebhookSchema.safeParse(req.body);
    if (!parsed.success) throw new AppError('bad_request', 'not a Green-API notification', { kind: 'bad_input' });
    const hook = parsed.data;
    checkLineWebhookToken(deps, req, {
      line: await deps.lines.findByPhoneNumberId(String(hook.instanceData.idInstance)),
      provider: 'green-api',
      given: (req.header('authorization') ?? '').replace(/^Bearer\s+/i, ''),
      refusal: 'green-api webhook refused: bad token or unknown instance',
    });
    // Green-API retries undelivered notifications.
    await queueLineWebhookEvent(deps, res, (receivedAt) => greenApiInboundEvent(hook, receivedAt));
  });
  return router;
}
