import { DelayedError, type Job } from 'bullmq';
import { findActionByCode } from '../actions';
import type { ActionContext, ActionOutput } from '../actions/define-action';
import type { AddressPolicy } from '../lib/address-policy';
import { systemClock } from '../lib/clock';
import { ActionError, LineBusyError } from '../lib/errors/app-error';
import { classifyError } from '../lib/errors/classify-error';
import { say, t } from '../lib/i18n/catalogue';
import type { Metrics } from '../lib/metrics';
import { resolveLine } from '../lines/resolve-line';
import { shouldRetry } from '../queues/job-retry';
import { type RunActionJob, runActionJobSchema } from '../queues/job-schemas';
import type { ActivityLog } from '../store/activity-log';
import type { LineStore } from '../store/line-store';
import { type PortalStore, portalLanguage } from '../store/portal-store';
import type { WaitService } from '../waits/wait-service';
import {
  checkAddresses,
  checkDeliveryTimeout,
  deliveryTarget,
  deliveryTimeoutMs,
  errorOutput,
  parseInputs,
} from './action-inputs';
import { type ActionContextDeps, buildActionContext } from './build-action-context';
import { type CallSourceDeps, callSourceOf } from './call-source';

export interface RunActionDeps extends ActionContextDeps, CallSourceDeps {
  portals: Pick<PortalStore, 'get' | 'configVersion'>;
  lines: Pick<LineStore, 'list'>;
  messages: ActionContextDeps['messages'];
  waits: Pick<WaitService, 'open' | 'idFor' | 'attach' | 'abandon' | 'stages'> & ActionContextDeps['waits'];
  metrics: Pick<Metrics, 'jobs' | 'errors'>;
  /** Governs file URLs offered by robots (ALLOW_PRIVATE_ADDRESSES). */
  addresses: AddressPolicy;
  /** The settings page's list of recent errors (absent: not noted). */
  activity?: Pick<ActivityLog, 'noteError' | 'sentNote'>;
}

/** "Wait for = delivered/read": the result goes back when the status arrives (or on time-out). */
async function maybeWaitForDelivery(
  waits: RunActionDeps['waits'],
  ctx: ActionContext,
  inputs: Record<string, unknown>,
  output: ActionOutput,
  stageAtStart: string | undefined,
): Promise<ActionOutput> {
  const target = deliveryTarget(inputs);
  const messageId = output.returnValues.message_id;
  if (output.pending || ctx.call.useSubscription === false || !target) return output;
  if (output.returnValues.status !== 'sent' || !messageId) return output;
  const phone = await ctx.recipient(undefined);
  const timeoutMs = deliveryTimeoutMs(inputs);
  const { line, call, lang } = ctx;
  const wait = await waits.open({
    line,
    call,
    phone,
    lang,
    purpose: 'delivery',
    timeoutMs,
    deliveryTarget: target,
    stageAtStart,
  });
  // Statuses that arrived before the wait existed are applied as it is linked.
  await waits.attach(ctx.portal.memberId, wait.id, messageId, output.returnValues);
  return { ...output, pending: true };
}

/** Processes one robot/activity call: validate, resolve line and recipient, run the action, queue the callback. */
export function createRunActionProcessor(deps: RunActionDeps) {
  const { waits, metrics } = deps;
  return async function processRunAction(job: Job<RunActionJob>, token?: string): Promise<string> {
    const data = runActionJobSchema.parse(job.data);
    // One read of the portal's config version guards both the portal and its lines (store/config-cache.ts).
    const configVersion = await deps.portals.configVersion(data.memberId);
    const portal = await deps.portals.get(data.memberId, configVersion);
    if (!portal) {
      deps.log.warn({ memberId: data.memberId }, 'call for a portal that is no longer installed: dropped');
      return 'portal_gone';
    }
    const lang = portalLanguage(portal);
    const source = callSourceOf(deps, data);
    const { call } = source;
    const notes: string[] = [];
    // The line the call resolved to, once known: the settings page filters errors by it.
    let lineId = '';
    try {
      const found = findActionByCode(data.code);
      if (!found) throw new ActionError('unknown_action', data.code);
      const inputs = parseInputs(found.action, data.properties);
      checkDeliveryTimeout(inputs);
      // An address check looks hosts up (DNS, seconds at worst): a line removed or a token rotated
      // meanwhile must not be used from a copy, so the version is read again after one. A send
      // without addresses (the common case) keeps the one read per job.
      const looked = await checkAddresses(found.action, inputs, deps.addresses);
      const linesVersion = looked > 0 ? await deps.portals.configVersion(data.memberId) : configVersion;
      call.showInChat = inputs.show_in_chat === true;
      call.ifMaybeSent = inputs.if_maybe_sent === 'skip' ? 'skip' : 'resend';
      const lineRef = source.lineRef ?? (typeof inputs.line === 'string' ? inputs.line : undefined);
      const line = await resolveLine(deps.lines, data.memberId, lineRef, linesVersion);
      lineId = line.id;
      const ctx = buildActionContext(deps, portal, line, call, notes);
      const missing = found.action.needs.filter((c) => !ctx.provider.capabilities.has(c));
      if (missing.length)
        throw new ActionError('unsupported_by_provider', `${ctx.provider.kind}: ${missing.join(', ')}`, {
          says: say('error.detail.unsupported', { provider: ctx.provider.kind, capability: missing.join(', ') }),
        });
      // A robot's stage is read before anything is sent: a delivery wait opens only after the send.
      const waitsForStatus = call.kind === 'robot' && call.useSubscription !== false && deliveryTarget(inputs) !== null;
      const stageAtStart = waitsForStatus
        ? await waits.stages.read(data.memberId, call.documentId[2] ?? '')
        : undefined;
      let output = await found.action.run(ctx, inputs);
      output = await maybeWaitForDelivery(waits, ctx, inputs, output, stageAtStart);
      if (!output.pending) await source.report(output, notes);
      metrics.jobs.inc({ queue: 'run-action', outcome: 'ok' });
      return 'done';
    } catch (error) {
      if (error instanceof LineBusyError) {
        // No slot on the line now: come back when one frees up, without spending an attempt.
        // BullMQ schedules on real time (its own timers), whatever clock the app runs on.
        await job.moveToDelayed(systemClock.now() + error.retryAfterMs, token);
        throw new DelayedError();
      }
      // Retried (after the error's own Retry-After, else exponential) while attempts remain.
      if (shouldRetry(error, job)) throw error;
      // The robot gets the error now: a wait opened for this call must not take replies.
      await waits.abandon(data.memberId, [waits.idFor(call, 'reply'), waits.idFor(call, 'delivery')], 'send_failed');
      const actionError =
        error instanceof ActionError ? error : new ActionError('internal_error', classifyError(error).message);
      if (!(error instanceof ActionError))
        deps.log.error({ err: error, memberId: data.memberId, code: data.code }, 'action failed');
      metrics.errors.inc({ code: actionError.code });
      await deps.activity
        ?.noteError(data.memberId, { code: actionError.code, lineId, action: data.code, at: deps.clock.now() })
        .catch((noteError: unknown) =>
          deps.log.warn({ err: noteError }, 'could not note the error for the settings page'),
        );
      metrics.jobs.inc({ queue: 'run-action', outcome: 'error' });
      // A message that did leave before the failure is named, so nobody thinks nothing was sent;
      // one whose last attempt ended without an answer (in flight) may have left: say so.
      const step = await deps.messages.sendStep(data.memberId, call.callKey, 0, waits.idFor(call, 'reply'));
      const output = errorOutput(actionError, lang);
      if (step.state === 'sent') output.returnValues.message_id = step.messageId;
      if (step.state === 'maybe') {
        output.returnValues.delivery_status = 'unknown';
        notes.push(t(lang, 'note.maybe_sent_before_failure'));
      }
      await source.report(output, notes);
      return `error:${actionError.code}`;
    }
  };
}
