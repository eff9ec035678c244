import { DelayedError, type Job } from 'bullmq';
import { z } from 'zod';
import { runActionJobSchema, type RunActionJob } from '../queues/job-schemas';
import { findActionByCode } from '../actions';
import type { ActionContext, ActionOutput, AnyAction, CallInfo } from '../actions/define-action';
import { timeoutMs } from '../actions/common-properties';
import type { WaitService } from '../waits/wait-service';
import { MAX_WAIT_MS, openWait, waitIdFor } from '../waits/open-wait';
import type { Runtime } from '../runtime/create-runtime';
import { ActionError, RateLimitedError } from '../lib/errors/app-error';
import { BitrixError } from '../bitrix/bitrix-error';
import { digest } from '../lib/hash';
import { portalLanguage } from '../store/portal-store';
import { buildActionContext, resolveLine } from './build-action-context';

/** Return values and log line for a failed call, in the portal's language. */
export function errorOutput(error: ActionError, lang: 'ru' | 'en'): ActionOutput {
  const text = error.text(lang);
  return {
    returnValues: { status: 'error', message_id: '', error_code: error.code, error: text, delivery_status: 'failed' },
    logMessage: `WhatsApp: ${lang === 'ru' ? 'ошибка' : 'error'} ${error.code}: ${text}`,
  };
}

/** Names the first bad property: "text: at most 4096 characters". */
export function describePropertyError(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.join('.') || 'properties'}: ${issue.message}`).join('; ');
}

function parseInputs(action: AnyAction, raw: RunActionJob['properties']): Record<string, unknown> {
  const shape = Object.fromEntries(Object.entries(action.properties).map(([code, p]) => [code, p.schema]));
  const parsed = z.object(shape).safeParse(raw);
  if (!parsed.success) throw new ActionError('invalid_property', describePropertyError(parsed.error));
  return parsed.data;
}

/** The "wait for" time-out of a send action, in ms. */
function deliveryTimeoutMs(inputs: Record<string, unknown>): number {
  const unit = inputs.wait_timeout_unit === 'minutes' || inputs.wait_timeout_unit === 'days' ? inputs.wait_timeout_unit : 'hours';
  return timeoutMs(typeof inputs.wait_timeout === 'number' ? inputs.wait_timeout : 24, unit);
}

/** The status wait is checked before anything is sent, like every other property. */
function checkDeliveryTimeout(inputs: Record<string, unknown>): void {
  if (inputs.wait_for !== 'delivered' && inputs.wait_for !== 'read') return;
  if (deliveryTimeoutMs(inputs) > MAX_WAIT_MS) {
    throw new ActionError('invalid_property', 'wait_timeout: at most 30 days');
  }
}

/** "Wait for = delivered/read": the result goes back when the status arrives (or on time-out). */
async function maybeWaitForDelivery(rt: Runtime, waits: WaitService, ctx: ActionContext, inputs: Record<string, unknown>, output: ActionOutput, stageAtStart: string | undefined): Promise<ActionOutput> {
  const target = inputs.wait_for;
  const messageId = output.returnValues.message_id;
  if (output.pending || ctx.call.useSubscription === false || (target !== 'delivered' && target !== 'read') || output.returnValues.status !== 'sent' || !messageId) return output;
  const wait = await openWait(rt, waits, {
    line: ctx.line, call: ctx.call, phone: await ctx.recipient(undefined), lang: ctx.lang, purpose: 'delivery',
    timeoutMs: deliveryTimeoutMs(inputs), deliveryTarget: target, stageAtStart,
  });
  // Statuses that arrived before the wait existed are applied as it is linked.
  await waits.attach(ctx.portal.memberId, wait.id, messageId, output.returnValues);
  return { ...output, pending: true };
}

/** Processes one robot/activity call: validate, resolve line and recipient, run the action, queue the callback. */
export function createRunActionProcessor(rt: Runtime, waits: WaitService) {
  return async function processRunAction(job: Job<RunActionJob>, token?: string): Promise<string> {
    const data = runActionJobSchema.parse(job.data);
    const portal = await rt.portals.get(data.memberId);
    if (!portal) {
      rt.log.warn({ memberId: data.memberId }, 'call for a portal that is no longer installed: dropped');
      return 'portal_gone';
    }
    const lang = portalLanguage(portal);
    const call: CallInfo = { kind: data.kind, code: data.code, eventToken: data.eventToken, workflowId: data.workflowId, documentId: data.documentId, callKey: digest(data.eventToken), timeoutDurationSec: data.timeoutDurationSec, receivedAt: data.receivedAt, useSubscription: data.useSubscription };
    const notes: string[] = [];
    const report = async (output: ActionOutput) => {
      const logMessage = notes.length ? `${output.logMessage} (${notes.join('; ')})` : output.logMessage;
      if (!data.useSubscription) {
        rt.log.info({ memberId: data.memberId, code: data.code, returnValues: output.returnValues }, 'robot does not wait for an answer; result logged only');
        return;
      }
      await rt.outbox.enqueue(data.memberId, { eventToken: data.eventToken, returnValues: output.returnValues, logMessage }, rt.clock.now());
    };
    try {
      const found = findActionByCode(data.code);
      if (!found) throw new ActionError('unknown_action', data.code);
      const inputs = parseInputs(found.action, data.properties);
      checkDeliveryTimeout(inputs);
      call.showInChat = inputs.show_in_chat === true;
      const line = await resolveLine(rt, data.memberId, typeof inputs.line === 'string' ? inputs.line : undefined);
      const ctx = buildActionContext(rt, waits, portal, line, call, notes);
      const missing = found.action.needs.filter((c) => !ctx.provider.capabilities.has(c));
      if (missing.length) throw new ActionError('unsupported_by_provider', `${ctx.provider.kind}: ${missing.join(', ')}`);
      // A robot's stage is read before anything is sent: a delivery wait opens only after the send.
      const waitsForStatus = data.kind === 'robot' && (inputs.wait_for === 'delivered' || inputs.wait_for === 'read');
      const stageAtStart = waitsForStatus ? await waits.stages.read(data.memberId, data.documentId[2] ?? '') : undefined;
      let output = await found.action.run(ctx, inputs);
      output = await maybeWaitForDelivery(rt, waits, ctx, inputs, output, stageAtStart);
      if (!output.pending) await report(output);
      rt.metrics.jobs.inc({ queue: 'run-action', outcome: 'ok' });
      return 'done';
    } catch (error) {
      if (error instanceof RateLimitedError) {
        // No slot on the line now: come back when one frees up, without spending an attempt.
        await job.moveToDelayed(Date.now() + error.waitMs, token);
        throw new DelayedError();
      }
      const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      // Unclassified errors (Redis hiccups, bugs) get the same retries as transient ones.
      const retryable = error instanceof ActionError ? error.retryable : error instanceof BitrixError ? error.retryable : true;
      if (retryable && !lastAttempt) throw error;
      // The robot gets the error now: a wait opened for this call must not take replies.
      await waits.abandon(data.memberId, [waitIdFor(rt, call, 'reply'), waitIdFor(rt, call, 'delivery')], 'send_failed');
      const actionError = error instanceof ActionError ? error : new ActionError('internal_error', error instanceof Error ? error.message : String(error));
      if (!(error instanceof ActionError)) rt.log.error({ err: error, memberId: data.memberId, code: data.code }, 'action failed');
      rt.metrics.errors.inc({ code: actionError.code });
      rt.metrics.jobs.inc({ queue: 'run-action', outcome: 'error' });
      // A message that did leave before the failure is named, so nobody thinks nothing was sent.
      const sentId = await rt.messages.sentStep(data.memberId, call.callKey, 0);
      const output = errorOutput(actionError, lang);
      await report(sentId ? { ...output, returnValues: { ...output.returnValues, message_id: sentId } } : output);
      return `error:${actionError.code}`;
    }
  };
}

