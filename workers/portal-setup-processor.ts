import type { Job } from 'bullmq';
import { z } from 'zod';
import { actions } from '../actions';
import { activityCode, activityFields } from '../activities/activity-registration';
import type { BatchCommands, CallParams, PortalClientFactory } from '../bitrix/portal-client';
import { MAX_BATCH } from '../bitrix/portal-client';
import { boundEvents, endpoints } from '../config/endpoints';
import { AppError } from '../lib/errors/app-error';
import type { Logger } from '../lib/logger';
import type { Metrics } from '../lib/metrics';
import { type PortalSetupJob, portalSetupJobSchema } from '../queues/job-schemas';
import { robotCode, robotFields } from '../robots/robot-registration';
import type { PortalStore } from '../store/portal-store';

export interface PortalSetupDeps {
  bitrix: PortalClientFactory;
  /** The portal's installing user: robots and activities are registered with it as AUTH_USER_ID. */
  portals: Pick<PortalStore, 'get'>;
  /** The app's public base URL: handler addresses derive from it. */
  publicUrl: string;
  log: Logger;
  metrics: Pick<Metrics, 'jobs'>;
}

const codeListSchema = z.array(z.string()).catch([]);
const bindingsSchema = z.array(z.object({ event: z.string(), handler: z.string() }).loose()).catch([]);

/**
 * The commands that bring a portal's robots, activities and event bindings in line with the
 * catalogue, registered with the installing user as AUTH_USER_ID.
 */
export function planRegistration(
  publicUrl: string,
  existing: { robots: string[]; activities: string[]; bindings: Array<{ event: string; handler: string }> },
  authUserId: number,
): Array<[string, CallParams]> {
  const handler = `${publicUrl}${endpoints.robot}`;
  const eventsHandler = `${publicUrl}${endpoints.events}`;
  const plan: Array<[string, CallParams]> = [];
  const kinds = [
    { method: 'bizproc.robot', codeOf: robotCode, fieldsOf: robotFields, have: new Set(existing.robots) },
    { method: 'bizproc.activity', codeOf: activityCode, fieldsOf: activityFields, have: new Set(existing.activities) },
  ];
  for (const kind of kinds) {
    const wanted = new Set<string>();
    for (const action of actions) {
      const code = kind.codeOf(action);
      wanted.add(code);
      const fields = kind.fieldsOf(action, handler, authUserId);
      // An update or reinstall keeps what exists: update it rather than fail on add.
      plan.push(
        kind.have.has(code)
          ? [`${kind.method}.update`, { CODE: code, FIELDS: fields }]
          : [`${kind.method}.add`, { CODE: code, ...fields }],
      );
    }
    for (const code of kind.have) if (!wanted.has(code)) plan.push([`${kind.method}.delete`, { CODE: code }]);
  }
  for (const event of boundEvents) {
    const bound = existing.bindings.some((b) => b.event.toUpperCase() === event && b.handler === eventsHandler);
    if (!bound) plan.push(['event.bind', { event, handler: eventsHandler }]);
  }
  return plan;
}

/** Registers robots, activities and event bindings for one portal, in batches; throws when incomplete. */
export async function registerPortal(deps: Omit<PortalSetupDeps, 'metrics'>, memberId: string): Promise<number> {
  const portal = await deps.portals.get(memberId);
  if (!portal) throw new AppError('portal_not_installed', `portal ${memberId} is not installed`);
  const client = deps.bitrix(memberId);
  const current = await client.batch({
    robots: ['bizproc.robot.list', {}],
    activities: ['bizproc.activity.list', {}],
    bindings: ['event.get', {}],
  });
  const listErrors = Object.entries(current.errors);
  if (listErrors.length) {
    const detail = listErrors.map(([k, e]) => `${k}: ${e.code} ${e.description}`).join('; ');
    throw new AppError('registration_unreadable', `cannot read current registrations: ${detail}`, { retryable: true });
  }
  const plan = planRegistration(
    deps.publicUrl,
    {
      robots: codeListSchema.parse(current.results.robots),
      activities: codeListSchema.parse(current.results.activities),
      bindings: bindingsSchema.parse(current.results.bindings),
    },
    portal.userId,
  );
  const failures: string[] = [];
  for (let i = 0; i < plan.length; i += MAX_BATCH) {
    const chunk = plan.slice(i, i + MAX_BATCH);
    const commands: BatchCommands = Object.fromEntries(chunk.map((command, j) => [`r${i + j}`, command]));
    const outcome = await client.batch(commands);
    for (const [key, error] of Object.entries(outcome.errors)) {
      const [method, params] = commands[key] ?? ['?', {}];
      failures.push(`${method} ${String(params.CODE ?? params.event ?? '')}: ${error.code} ${error.description}`);
    }
  }
  if (failures.length) {
    deps.log.error({ memberId, failures }, 'registration incomplete; will retry');
    throw new AppError('registration_incomplete', `registration incomplete: ${failures.join('; ')}`, {
      retryable: true,
    });
  }
  deps.log.info({ memberId, commands: plan.length }, 'robots, activities and events registered');
  return plan.length;
}

/** The portal-setup queue's processor: on install and on every update. */
export function createPortalSetupProcessor(deps: PortalSetupDeps) {
  return async function processPortalSetup(job: Job<PortalSetupJob>): Promise<string> {
    const { memberId } = portalSetupJobSchema.parse(job.data);
    const count = await registerPortal(deps, memberId);
    deps.metrics.jobs.inc({ queue: 'portal-setup', outcome: 'ok' });
    return `registered ${count}`;
  };
}
