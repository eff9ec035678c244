/** `bizproc.event.send` (and `bizproc.activity.log`): completing a waiting robot / activity. */

import { asDict, type Dict, param, str } from '../params';
import { RestError, restErrors } from '../rest-error';
import { verifyEventToken } from '../tokens';
import type { EventSendRecord } from '../types';
import type { MethodContext, MethodTable } from './method-types';

function workflowNotFound(lang: 'ru' | 'en'): RestError {
  return new RestError(404, lang === 'ru' ? 'Бизнес-процесс не найден.' : 'The business process is not found.', 400);
}

function eventSend(ctx: MethodContext, params: Dict): unknown {
  const { state } = ctx;
  const eventToken = str(param(params, 'EVENT_TOKEN'));
  const returnValues = asDict(param(params, 'RETURN_VALUES')) ?? {};
  const logRaw = param(params, 'LOG_MESSAGE');
  const logMessage = logRaw === undefined ? undefined : str(logRaw);
  const record: EventSendRecord = {
    eventToken,
    returnValues,
    ignoredKeys: [],
    logMessage,
    outcome: 'accepted',
    at: Date.now(),
  };
  state.eventSends.push(record);

  const workflowId = eventToken ? verifyEventToken(state.signSecret, eventToken) : undefined;
  const run = state.runsByToken.get(eventToken);
  if (!workflowId || !run) {
    record.outcome = 'access_denied';
    throw restErrors.accessDenied();
  }
  if (state.endedWorkflows.has(workflowId)) {
    record.outcome = 'workflow_not_found';
    throw workflowNotFound(state.opts.languageId);
  }
  if (run.status !== 'running') {
    record.outcome = 'ignored';
    return true;
  }
  const registration = state.registrations.get(run.code);
  const known = new Map<string, string>();
  for (const key of Object.keys(registration?.returnProperties ?? {})) known.set(key.toLowerCase(), key);
  const kept: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(returnValues)) {
    const registered = known.get(key.toLowerCase());
    if (registered) kept[registered] = value;
    else record.ignoredKeys.push(key);
  }
  run.status = 'completed';
  run.returnValues = kept;
  run.logMessage = logMessage || 'Received response from the application';
  state.changed();
  return true;
}

function activityLog(ctx: MethodContext, params: Dict): unknown {
  const eventToken = str(param(params, 'EVENT_TOKEN'));
  if (!verifyEventToken(ctx.state.signSecret, eventToken) || !ctx.state.runsByToken.has(eventToken))
    throw restErrors.accessDenied();
  if (str(param(params, 'LOG_MESSAGE')) === '')
    throw new RestError('ERROR_EMPTY_LOG_MESSAGE', 'Empty log message!', 400);
  return true;
}

/** `bizproc.event.send` and `bizproc.activity.log`. */
export const eventSendMethods: MethodTable = {
  'bizproc.event.send': eventSend,
  'bizproc.activity.log': activityLog,
};
