import { Router } from 'express';
import { z } from 'zod';
import type { Runtime } from '../../runtime/create-runtime';
import { verifyApplicationToken } from '../middleware/verify-application-token';
import { HttpError } from '../middleware/http-error';
import { endpoints } from '../endpoints';
import { installPortal, portalFromInstall } from './install-door';
import { forgetPortalData } from '../../store/forget-portal';

const crmEventSchema = z.object({
  event: z.string(),
  data: z.object({ FIELDS: z.object({ ID: z.string().min(1), ENTITY_TYPE_ID: z.string().optional() }).loose() }).loose(),
}).loose();

const stageEvents = new Set(['ONCRMDEALUPDATE', 'ONCRMLEADUPDATE', 'ONCRMDYNAMICITEMUPDATE']);

/** Portal events: install, uninstall and CRM changes (checked by application token, then queued). */
export function createEventsDoor(rt: Runtime): Router {
  const router = Router();
  router.post(endpoints.events, async (req, res) => {
    const event = String(req.body?.event ?? '').toUpperCase();
    if (event === 'ONAPPINSTALL') {
      await installPortal(rt, portalFromInstall(req, rt.clock.now()));
      res.json({ result: 'installed' });
      return;
    }
    const portal = await verifyApplicationToken(req, rt.portals);
    if (event === 'ONAPPUNINSTALL') {
      await rt.lines.removeAll(portal.memberId);
      await rt.portals.remove(portal.memberId);
      const removed = await forgetPortalData(rt.redis, rt.keys, portal.memberId);
      rt.log.info({ memberId: portal.memberId, removed }, 'portal uninstalled: tokens, lines, waits and callbacks forgotten');
      res.json({ result: 'uninstalled' });
      return;
    }
    if (stageEvents.has(event)) {
      const parsed = crmEventSchema.safeParse(req.body);
      if (!parsed.success) throw new HttpError(400, 'bad_event', 'data[FIELDS][ID] is required');
      await rt.queues.enqueueBitrixEvent({ memberId: portal.memberId, event, entityId: parsed.data.data.FIELDS.ID, entityTypeId: parsed.data.data.FIELDS.ENTITY_TYPE_ID, receivedAt: rt.clock.now() });
      res.json({ result: 'queued' });
      return;
    }
    rt.log.info({ memberId: portal.memberId, event }, 'event not handled');
    res.json({ result: 'ignored' });
  });
  return router;
}
