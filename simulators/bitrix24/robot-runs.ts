/** Starting robot / activity runs (the handler POST), stopping them on stage moves, waiting for them. */

import { postForm } from '../shared/http-post';
import { encodePhpForm } from '../shared/php-form';
import { documentTypeOf } from './crm-store';
import { fullAuth } from './outbound';
import type { PortalState } from './state';
import { makeEventToken, uniqid } from './tokens';
import type { Registration, RobotRun, RunRobotOptions, RunRobotResult } from './types';

/** A `file` property value as the portal externalizes it: the `b_file` id, or in the 'rest' context a link. */
export function fileValue(state: PortalState, value: string, context: 'core' | 'rest'): string {
  // A link given as such passes unchanged: tests of links the portal itself would not produce.
  if (/^https?:/.test(value)) return value;
  const file = state.portalFiles.get(Number(value));
  if (!file) throw new Error(`runRobot: ${value} is not a b_file id (addPortalFile)`);
  if (context === 'core') return value;
  const url = new URL('/rest/download.json', state.baseUrl());
  url.searchParams.set('token', `bfile|${value}|${file.token}`);
  return url.toString();
}

function propertyValues(
  state: PortalState,
  reg: Registration,
  given: Record<string, string | string[]>,
  fileContext: 'core' | 'rest',
): Record<string, string | string[]> {
  const byLower = new Map(Object.entries(given).map(([k, v]) => [k.toLowerCase(), v]));
  const out: Record<string, string | string[]> = {};
  for (const [key, attrs] of Object.entries(reg.properties)) {
    const value = byLower.get(key.toLowerCase());
    if (value !== undefined && attrs.TYPE === 'file')
      out[key] = Array.isArray(value)
        ? value.map((v) => fileValue(state, v, fileContext))
        : fileValue(state, value, fileContext);
    else if (value !== undefined) out[key] = value;
    else if (attrs.DEFAULT !== undefined && attrs.DEFAULT !== null)
      out[key] = Array.isArray(attrs.DEFAULT) ? attrs.DEFAULT.map(String) : String(attrs.DEFAULT);
    else out[key] = '';
  }
  return out;
}

/** Starts (or finds, for a replay) the run and builds the handler POST's fields, without sending them. */
export function prepareRun(
  state: PortalState,
  opts: RunRobotOptions,
): { run: RobotRun; handler: string; fields: Record<string, unknown> } {
  const reg = state.registrations.get(opts.code);
  if (!reg || (opts.kind && reg.kind !== opts.kind))
    throw new Error(`No ${opts.kind ?? 'robot or activity'} registered with code ${opts.code}`);
  let run = opts.eventToken ? state.runsByToken.get(opts.eventToken) : undefined;
  if (opts.eventToken && !run) throw new Error('runRobot: unknown eventToken to replay');
  if (!run) {
    const workflowId = uniqid();
    run = {
      workflowId,
      eventToken: makeEventToken(state.signSecret, workflowId),
      code: reg.code,
      kind: reg.kind,
      documentId: opts.documentId,
      stageAtStart: state.crm.stageOf(opts.documentId),
      status: 'running',
      startedAt: Date.now(),
    };
    state.runs.push(run);
    state.runsByToken.set(run.eventToken, run);
  }
  const fields = {
    workflow_id: run.workflowId,
    code: reg.code,
    document_id: [...opts.documentId],
    document_type: documentTypeOf(opts.documentId),
    event_token: run.eventToken,
    properties: propertyValues(state, reg, opts.properties ?? {}, opts.fileContext ?? 'core'),
    use_subscription: reg.useSubscription || 'N',
    timeout_duration: String(opts.timeoutDuration ?? 0),
    ts: String(Math.floor(Date.now() / 1000)),
    auth: fullAuth(state.tokens(), opts.tamperApplicationToken ?? state.applicationToken),
  };
  return { run, handler: reg.handler, fields };
}

/** Runs a registered robot / activity: builds the handler POST, sends it, records the run. */
export async function runRobot(state: PortalState, opts: RunRobotOptions): Promise<RunRobotResult> {
  const { run, handler, fields } = prepareRun(state, opts);
  const res = await postForm(handler, encodePhpForm(fields));
  if (fields.use_subscription !== 'Y' && run.status === 'running') {
    run.status = 'completed';
    state.changed();
  }
  return { httpStatus: res.status, responseBody: res.body, run };
}

/** Stops running robots (not activities) of a document that started at another stage than `newStage`. */
export function stopRobotsOnMove(
  state: PortalState,
  documentId: readonly string[],
  previousStage: string | undefined,
): void {
  for (const run of state.runs) {
    if (run.kind !== 'robot' || run.status !== 'running' || run.documentId[2] !== documentId[2]) continue;
    if (run.stageAtStart !== undefined && previousStage !== undefined && run.stageAtStart !== previousStage) continue;
    run.status = 'stopped';
    state.endedWorkflows.add(run.workflowId);
  }
  state.changed();
}

/** Ends a workflow: its running runs stop and later event.send gets "business process is not found". */
export function terminateWorkflow(state: PortalState, workflowId: string): void {
  state.endedWorkflows.add(workflowId);
  for (const run of state.runs) if (run.workflowId === workflowId && run.status === 'running') run.status = 'stopped';
  state.changed();
}

/** Resolves when a run completes (by event token, or the first completed run matching a predicate); rejects on stop (token form) or timeout. */
export function waitForRun(
  state: PortalState,
  target: string | ((run: RobotRun) => boolean),
  timeoutMs = 5000,
): Promise<RobotRun> {
  return new Promise((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    let unsubscribe: () => void = () => undefined;
    const finish = (fn: () => void) => {
      if (timer) clearTimeout(timer);
      unsubscribe();
      fn();
    };
    const check = (): boolean => {
      if (typeof target === 'function') {
        const found = state.runs.find((r) => r.status === 'completed' && target(r));
        if (found) finish(() => resolve(found));
        return !!found;
      }
      const run = state.runsByToken.get(target);
      if (run?.status === 'completed') finish(() => resolve(run));
      else if (run?.status === 'stopped') finish(() => reject(new Error(`Run ${run.workflowId} was stopped`)));
      else return false;
      return true;
    };
    if (check()) return;
    unsubscribe = state.onChange(() => void check());
    timer = setTimeout(() => finish(() => reject(new Error(`waitForRun timed out after ${timeoutMs} ms`))), timeoutMs);
  });
}
