import type { IncomingMessage, ServerResponse } from 'node:http';
import { Router } from 'express';
import { z } from 'zod';
import { findActionByCode } from '../../actions';
import { endpoints } from '../../config/endpoints';
import type { Clock } from '../../lib/clock';
import { AppError } from '../../lib/errors/app-error';
import type { Logger } from '../../lib/logger';
import type { Metrics } from '../../lib/metrics';
import type { Queues } from '../../queues/create-queues';
import type { RunActionJobInput } from '../../queues/job-schemas';
import type { PortalStore } from '../../store/portal-store';
import { formOrJsonBody } from '../middleware/body-parsers';
import { invalidApplicationToken, verifyApplicationToken } from '../middleware/verify-application-token';
import { answerJson, type RequestListener } from './direct-path';
import { createHandOver, type HandOver } from './hand-over';

/** The robot/activity call envelope (bitrix24-wire.md §1); properties are checked by the worker. */
export const robotCallSchema = z
  .object({
    workflow_id: z.string().min(1),
    code: z.string().min(1),
    document_id: z.array(z.string()).min(3),
    document_type: z.array(z.string()).default([]),
    event_token: z.string().min(1),
    properties: z.record(z.string(), z.union([z.string(), z.array(z.string())])).default({}),
    use_subscription: z.enum(['Y', 'N']).default('Y'),
    timeout_duration: z.coerce.number().int().min(0).default(0),
    auth: z.object({ member_id: z.string().min(1) }).loose(),
  })
  .loose();

export interface RobotDoorDeps {
  portals: Pick<PortalStore, 'authenticate'>;
  queues: Pick<Queues, 'enqueueRunAction'>;
  metrics: Pick<Metrics, 'robotCalls'>;
  clock: Clock;
  log: Logger;
}

export type RobotCall = z.infer<typeof robotCallSchema>;

/** The run-action job of a portal's call (the bench queues its backlog with the same one). */
export function runActionJobOf(memberId: string, call: RobotCall, receivedAt: number): RunActionJobInput {
  return {
    memberId,
    code: call.code,
    // An unknown code still becomes a job: the worker reports the error to the robot log.
    kind: findActionByCode(call.code)?.kind ?? 'robot',
    eventToken: call.event_token,
    workflowId: call.workflow_id,
    documentId: call.document_id,
    documentType: call.document_type,
    properties: call.properties,
    useSubscription: call.use_subscription === 'Y',
    timeoutDurationSec: call.timeout_duration,
    receivedAt,
  };
}

/** Queues a verified call of `memberId`'s portal (its event token names the job: a repeat adds nothing). */
export async function queueRobotCall(
  deps: RobotDoorDeps,
  memberId: string,
  call: RobotCall,
): Promise<string | undefined> {
  const job = await deps.queues.enqueueRunAction(runActionJobOf(memberId, call, deps.clock.now()));
  deps.metrics.robotCalls.inc({ outcome: 'queued' });
  return job.id;
}

/** The door's 200, naming the job. */
export function answerQueued(res: ServerResponse, jobId: string | undefined): void {
  answerJson(res, { result: 'queued', job: jobId });
}

export type { RequestListener };

/**
 * What the direct path (robot-door-direct.ts) hands to this door instead of answering a call
 * itself: the body it parsed (this door verifies and answers it as it would any call), with
 * `tokenRefused` when the portal store already refused its token (this door then answers that 401
 * without asking the store again: a forged call costs one look-up, not two). Or it hands the
 * error it met (`fail`: the error handlers answer it).
 */
export type HandedCall = { body: unknown; tokenRefused: boolean };

const handedOver = createHandOver<HandedCall>();
/** Calls handed over with their token refused, from the route's first step to the door's handler. */
const tokenRefused = new WeakSet<IncomingMessage>();

/** Hands a call the direct path read, or the error it met, to this door (next it passes it to a DirectDoorsHost). */
export const handOver: Pick<HandOver<HandedCall>, 'give' | 'fail'> = handedOver;

const takeHandedOver = handedOver.step((req, taken) => {
  // The body is read: body-parser passes over a finished request and keeps this.
  req.body = taken.body;
  if (taken.tokenRefused) tokenRefused.add(req);
});

/**
 * Verifies, queues and answers at once: the portal never retries a robot call, so it must not wait.
 * Its own body parsers (a form or JSON; any other body is a 415 before a byte is parsed). Its POST
 * route's first step takes up a call handed over (mounted by direct-doors.ts).
 */
export function robotDoorRouter(deps: RobotDoorDeps): Router {
  const router = Router();
  router.post(endpoints.robot, takeHandedOver, formOrJsonBody(), async (req, res) => {
    const verified = tokenRefused.has(req)
      ? Promise.reject(invalidApplicationToken())
      : verifyApplicationToken(req, deps.portals);
    const portal = await verified.catch((error: unknown) => {
      if (error instanceof AppError && error.kind === 'unauthorized') {
        deps.metrics.robotCalls.inc({ outcome: 'unauthorized' });
        deps.log.warn({ memberId: req.body?.auth?.member_id, ip: req.ip }, 'robot call refused: bad application token');
      }
      throw error;
    });
    // body-parser 2 (qs) keeps PHP lists of any length up to the parameter limit as arrays.
    const parsed = robotCallSchema.safeParse(req.body);
    if (!parsed.success) {
      deps.metrics.robotCalls.inc({ outcome: 'bad_envelope' });
      const detail = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
      throw new AppError('bad_robot_call', detail, { kind: 'bad_input' });
    }
    answerQueued(res, await queueRobotCall(deps, portal.memberId, parsed.data));
  });
  return router;
}
