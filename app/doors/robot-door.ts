import { Router } from 'express';
import { z } from 'zod';
import type { Runtime } from '../../runtime/create-runtime';
import { verifyApplicationToken } from '../middleware/verify-application-token';
import { HttpError } from '../middleware/http-error';
import { normalizeFormArrays } from '../form-body';
import { findActionByCode } from '../../actions';
import { endpoints } from '../endpoints';

/** The robot/activity call envelope (bitrix24-wire.md §1); properties are checked by the worker. */
export const robotCallSchema = z.object({
  workflow_id: z.string().min(1),
  code: z.string().min(1),
  document_id: z.array(z.string()).min(3),
  document_type: z.array(z.string()).default([]),
  event_token: z.string().min(1),
  properties: z.record(z.string(), z.union([z.string(), z.array(z.string())])).default({}),
  use_subscription: z.enum(['Y', 'N']).default('Y'),
  timeout_duration: z.coerce.number().int().min(0).default(0),
  auth: z.object({ member_id: z.string().min(1) }).loose(),
}).loose();

/** Verifies, queues and answers at once: the portal never retries a robot call, so it must not wait. */
export function createRobotDoor(rt: Runtime): Router {
  const router = Router();
  router.post(endpoints.robot, async (req, res) => {
    const portal = await verifyApplicationToken(req, rt.portals).catch((error: unknown) => {
      if (error instanceof HttpError && error.status === 401) {
        rt.metrics.robotCalls.inc({ outcome: 'unauthorized' });
        rt.log.warn({ memberId: req.body?.auth?.member_id, ip: req.ip }, 'robot call refused: bad application token');
      }
      throw error;
    });
    const parsed = robotCallSchema.safeParse(normalizeFormArrays(req.body));
    if (!parsed.success) {
      rt.metrics.robotCalls.inc({ outcome: 'bad_envelope' });
      throw new HttpError(400, 'bad_robot_call', parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
    }
    const call = parsed.data;
    const found = findActionByCode(call.code);
    const job = await rt.queues.enqueueRunAction({
      memberId: portal.memberId,
      code: call.code,
      // An unknown code still becomes a job: the worker reports the error to the robot log.
      kind: found?.kind ?? 'robot',
      eventToken: call.event_token,
      workflowId: call.workflow_id,
      documentId: call.document_id,
      documentType: call.document_type,
      properties: call.properties,
      useSubscription: call.use_subscription === 'Y',
      timeoutDurationSec: call.timeout_duration,
      receivedAt: rt.clock.now(),
    });
    rt.metrics.robotCalls.inc({ outcome: 'queued' });
    res.json({ result: 'queued', job: job.id });
  });
  return router;
}
