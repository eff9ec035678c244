import { Router } from 'express';
import { z } from 'zod';
import { endpoints } from '../../config/endpoints';
import { AppError } from '../../lib/errors/app-error';
import { type InstallPortalDeps, installPortal } from '../../portals/install-portal';
import { type UninstallPortalDeps, uninstallPortal } from '../../portals/uninstall-portal';
import type { Queues } from '../../queues/create-queues';
import type { PortalStore } from '../../store/portal-store';
import { verifyApplicationToken } from '../middleware/verify-application-token';
import { portalFromInstall } from './install-door';
import { type OpenLineEventDeps, openLineEvents, takeOpenLineEvent } from './open-line-events';

const crmEventSchema = z
  .object({
    event: z.string(),
    data: z
      .object({ FIELDS: z.object({ ID: z.string().min(1), ENTITY_TYPE_ID: z.string().optional() }).loose() })
      .loose(),
  })
  .loose();

const stageEvents = new Set(['ONCRMDEALUPDATE', 'ONCRMLEADUPDATE', 'ONCRMDYNAMICITEMUPDATE']);

export interface EventsDoorDeps extends InstallPortalDeps, UninstallPortalDeps {
  portals: Pick<PortalStore, 'get' | 'save' | 'remove' | 'authenticate'>;
  queues: Pick<
    Queues,
    'enqueuePortalSetup' | 'enqueueBitrixEvent' | 'enqueueOpenLineOperator' | 'enqueueSwitchOffCheck'
  >;
  openLines: OpenLineEventDeps['openLines'];
  operatorOrder: OpenLineEventDeps['operatorOrder'];
}

/** Portal events: install, uninstall and CRM changes (checked by application token, then queued). */
export function createEventsDoor(deps: EventsDoorDeps): Router {
  const router = Router();
  router.post(endpoints.events, async (req, res) => {
    const event = String(req.body?.event ?? '').toUpperCase();
    if (event === 'ONAPPINSTALL') {
      const { portal, via } = portalFromInstall(req, deps.clock.now());
      await installPortal(deps, portal, via);
      res.json({ result: 'installed' });
      return;
    }
    const portal = await verifyApplicationToken(req, deps.portals);
    if (event === 'ONAPPUNINSTALL') {
      await uninstallPortal(deps, portal.memberId);
      res.json({ result: 'uninstalled' });
      return;
    }
    if (stageEvents.has(event)) {
      const parsed = crmEventSchema.safeParse(req.body);
      if (!parsed.success) throw new AppError('bad_event', 'data[FIELDS][ID] is required', { kind: 'bad_input' });
      const { ID: entityId, ENTITY_TYPE_ID: entityTypeId } = parsed.data.data.FIELDS;
      await deps.queues.enqueueBitrixEvent({
        memberId: portal.memberId,
        event,
        entityId,
        entityTypeId,
        receivedAt: deps.clock.now(),
      });
      res.json({ result: 'queued' });
      return;
    }
    if (openLineEvents.has(event)) {
      res.json({ result: await takeOpenLineEvent(deps, portal.memberId, event, req.body) });
      return;
    }
    deps.log.info({ memberId: portal.memberId, event }, 'event not handled');
    res.json({ result: 'ignored' });
  });
  return router;
}
