import type { ActionOutput } from '../actions/define-action';
import type { CallbackOutbox } from '../bitrix/callback-outbox';
import type { Clock } from '../lib/clock';
import { digest } from '../lib/hash';
import type { Logger } from '../lib/logger';
import type { CallInfo } from '../queues/call-info';
import type { RunActionJob } from '../queues/job-schemas';
import type { ApiMessageStore } from '../store/api-message-store';

/** Where a run-action job came from and how its outcome goes back: per job source, one of these. */
export interface CallSource {
  call: CallInfo;
  /** The line the caller named (id or name; undefined = the portal's first). */
  lineRef: string | undefined;
  /** Hands the outcome to whoever asked: the robot's callback, or the API caller's stored result. */
  report(output: ActionOutput, notes: string[]): Promise<void>;
}

export interface CallSourceDeps {
  outbox: Pick<CallbackOutbox, 'enqueue'>;
  apiMessages: Pick<ApiMessageStore, 'settle'>;
  clock: Clock;
  log: Logger;
}

/** The API message's outcome as the action reported it. */
function apiOutcome(output: ActionOutput, now: number) {
  const values = output.returnValues;
  const sent = values.status === 'sent';
  return {
    state: sent ? ('sent' as const) : ('failed' as const),
    providerMessageId: values.message_id || undefined,
    errorCode: sent ? undefined : values.error_code,
    errorText: sent ? undefined : values.error,
    maybeSent: values.delivery_status === 'unknown' ? ('1' as const) : undefined,
    settledAt: now,
  };
}

/** The job's source: a robot/activity run reports through `bizproc.event.send`; an API call stores its result. */
export function callSourceOf(deps: CallSourceDeps, data: RunActionJob): CallSource {
  if (data.source === 'api') {
    return {
      call: {
        kind: 'api',
        code: data.code,
        eventToken: '',
        workflowId: '',
        documentId: [],
        callKey: digest(`api|${data.messageId}`),
        timeoutDurationSec: 0,
        receivedAt: data.receivedAt,
        // Nobody subscribes: no reply or delivery wait is opened for an API send.
        useSubscription: false,
      },
      lineRef: data.lineId,
      report: (output) => deps.apiMessages.settle(data.memberId, data.messageId, apiOutcome(output, deps.clock.now())),
    };
  }
  return {
    call: {
      kind: data.kind,
      code: data.code,
      eventToken: data.eventToken,
      workflowId: data.workflowId,
      documentId: data.documentId,
      callKey: digest(data.eventToken),
      timeoutDurationSec: data.timeoutDurationSec,
      receivedAt: data.receivedAt,
      useSubscription: data.useSubscription,
    },
    lineRef: undefined,
    async report(output, notes) {
      const logMessage = notes.length ? `${output.logMessage} (${notes.join('; ')})` : output.logMessage;
      if (!data.useSubscription) {
        const { returnValues } = output;
        deps.log.info(
          { memberId: data.memberId, code: data.code, returnValues },
          'robot does not wait for an answer; result logged only',
        );
        return;
      }
      await deps.outbox.enqueue(data.memberId, {
        eventToken: data.eventToken,
        returnValues: output.returnValues,
        logMessage,
      });
    },
  };
}
