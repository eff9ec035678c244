import type { Job } from 'bullmq';
import { z } from 'zod';
import { actions } from '../actions';
import type { RegistrationContext } from '../actions/registration-fields';
import { activityCode, activityFields } from '../activities/activity-registration';
import type { BatchCommands, CallParams, PortalClientFactory } from '../bitrix/portal-client';
import { MAX_BATCH } from '../bitrix/portal-client';
import { boundEvents, endpoints } from '../config/endpoints';
import { AppError } from '../lib/errors/app-error';
import type { Logger } from '../lib/logger';
import type { Metrics } from '../lib/metrics';
import { isTimeZone, offsetZone } from '../lib/portal-time';
import { type AttachLineDeps, type SetupKind, setUpConnector } from '../openlines/attach-line';
import {
  type ConfirmSwitchOffDeps,
  confirmSwitchOff,
  type SwitchOffCheckOutcome,
} from '../openlines/confirm-switch-off';
import { shouldRetry } from '../queues/job-retry';
import {
  type PortalSetupJob,
  portalSetupJobSchema,
  SWITCH_OFF_CHECK,
  type SwitchOffCheckJob,
  switchOffCheckJobSchema,
} from '../queues/job-schemas';
import { robotCode, robotFields } from '../robots/robot-registration';
import type { LineStore } from '../store/line-store';
import { type PortalStore, portalLanguage } from '../store/portal-store';

export interface PortalSetupDeps {
  bitrix: PortalClientFactory;
  /** The portal's installing user: robots and activities are registered with it as AUTH_USER_ID. */
  portals: Pick<PortalStore, 'get' | 'setTimeZone'>;
  /** The portal's lines: the options of every robot's `line` select. */
  lines: Pick<LineStore, 'list'>;
  /** PRODUCT_PREFIX: starts every robot and activity name. */
  productPrefix: string;
  /** The app's public base URL: handler addresses derive from it. */
  publicUrl: string;
  log: Logger;
  metrics: Pick<Metrics, 'jobs'>;
  /** The open-line connector: registered, and the stored attachments applied again, on install and every update. */
  openLineSetup?: Omit<AttachLineDeps, 'portals' | 'publicUrl' | 'bitrix' | 'log'>;
}

const codeListSchema = z.array(z.string()).catch([]);
const bindingsSchema = z.array(z.object({ event: z.string(), handler: z.string() }).loose()).catch([]);
/** `profile`: the installing admin's zone (IANA, '' when "auto") and its offset in seconds (portal-ui-wire.md §6). */
const profileZoneSchema = z
  .object({ TIME_ZONE: z.string().optional(), TIME_ZONE_OFFSET: z.coerce.number().optional() })
  .loose()
  .catch({});

/** The zone the portal's times are written in: the profile's IANA zone, else its fixed offset, else none. */
export function timeZoneOfProfile(profile: unknown): string | undefined {
  const p = profileZoneSchema.parse(profile);
  if (p.TIME_ZONE && isTimeZone(p.TIME_ZONE)) return p.TIME_ZONE;
  if (p.TIME_ZONE_OFFSET !== undefined && Number.isFinite(p.TIME_ZONE_OFFSET)) return offsetZone(p.TIME_ZONE_OFFSET);
  return undefined;
}

/**
 * The commands that bring a portal's robots, activities and event bindings in line with the
 * catalogue, registered with the installing user as AUTH_USER_ID.
 */
export function planRegistration(
  publicUrl: string,
  existing: { robots: string[]; activities: string[]; bindings: Array<{ event: string; handler: string }> },
  authUserId: number,
  context: RegistrationContext,
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
      const fields = kind.fieldsOf(action, handler, authUserId, context);
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

/** What one registration did: robots and activities added or updated, events bound now. */
export interface RegistrationReport {
  robots: number;
  activities: number;
  eventsBound: number;
  /** Every event the app needs is bound (now or before). */
  eventsTotal: number;
}

/**
 * Registers (or updates) one portal's robots and activities and binds its events, in batches; throws
 * when incomplete. The one function behind install, app update and every change of the portal's lines
 * (`queues.enqueueLinesChanged`): each `line` select lists the lines connected now, and the portal's
 * time zone is read from `profile` on the way. `kind` tells the open-line setup whether the
 * connector's statuses may be gone (openlines/attach-line.ts SetupKind).
 */
export async function registerPortal(
  deps: Omit<PortalSetupDeps, 'metrics'>,
  memberId: string,
  kind: SetupKind,
): Promise<RegistrationReport> {
  const portal = await deps.portals.get(memberId);
  if (!portal) throw new AppError('portal_not_installed', `portal ${memberId} is not installed`);
  const client = deps.bitrix(memberId);
  const current = await client.batch({
    robots: ['bizproc.robot.list', {}],
    activities: ['bizproc.activity.list', {}],
    bindings: ['event.get', {}],
    profile: ['profile', {}],
  });
  const timeZone = current.errors.profile ? undefined : timeZoneOfProfile(current.results.profile);
  if (timeZone && timeZone !== portal.timeZone) await deps.portals.setTimeZone(memberId, timeZone);
  // `profile` only tells the time zone: registering goes on without it.
  const listErrors = Object.entries(current.errors).filter(([key]) => key !== 'profile');
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
    {
      lang: portalLanguage(portal),
      prefix: deps.productPrefix,
      lines: (await deps.lines.list(memberId)).map((l) => ({ id: l.id, name: l.name })),
    },
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
  if (deps.openLineSetup) {
    const applied = await setUpConnector({ ...deps, ...deps.openLineSetup }, memberId, kind);
    deps.log.info({ memberId, attachments: applied }, 'open-line connector registered');
  }
  const count = (prefix: string) =>
    plan.filter(([method]) => method.startsWith(prefix) && !method.endsWith('.delete')).length;
  return {
    robots: count('bizproc.robot.'),
    activities: count('bizproc.activity.'),
    eventsBound: count('event.bind'),
    eventsTotal: boundEvents.length,
  };
}

/**
 * A switch-off check (openlines/confirm-switch-off.ts): a failing status call is retried (each try
 * asks again); after the last try the attachment is left as it is (the event did not change it)
 * until the maintenance sweep (openlines/unsettled-checks.ts, with a growing period) or the next
 * refused customer message there (openlines/refused-line-check.ts) queues the check again.
 */
async function checkSwitchOff(
  deps: PortalSetupDeps & SwitchOffCheckDeps,
  job: Pick<Job, 'data' | 'attemptsMade' | 'opts'>,
): Promise<SwitchOffCheckOutcome | 'unconfirmed'> {
  const data = switchOffCheckJobSchema.parse(job.data);
  try {
    return await confirmSwitchOff(deps, data);
  } catch (error) {
    if (shouldRetry(error, job)) throw error;
    deps.log.error(
      { memberId: data.memberId, openLineId: data.openLineId, lineId: data.lineId, seq: data.seq, err: error },
      'could not ask the portal about a switch-off: the attachment is left as it is',
    );
    return 'unconfirmed';
  }
}

/** What the switch-off checks on the same queue use. */
export type SwitchOffCheckDeps = Pick<ConfirmSwitchOffDeps, 'openLines'>;

/** The portal-setup queue's processor: on install and on every update, and the switch-off checks. */
export function createPortalSetupProcessor(deps: PortalSetupDeps & SwitchOffCheckDeps) {
  return async function processPortalSetup(job: Job<PortalSetupJob | SwitchOffCheckJob>): Promise<string> {
    // The job's name tells its kind (the queue also carries the switch-off checks).
    if (job.name === SWITCH_OFF_CHECK) {
      // Counted by outcome: many `unconfirmed` say checks are being lost (refusals then repair them).
      const outcome = await checkSwitchOff(deps, job);
      deps.metrics.jobs.inc({ queue: SWITCH_OFF_CHECK, outcome });
      return outcome;
    }
    const { memberId, reason } = portalSetupJobSchema.parse(job.data);
    const done = await registerPortal(deps, memberId, reason);
    deps.metrics.jobs.inc({ queue: 'portal-setup', outcome: 'ok' });
    return `registered ${done.robots} robots, ${done.activities} activities, bound ${done.eventsBound} events`;
  };
}
