import { ActionError } from '../lib/errors/app-error';
import { digest } from '../lib/hash';
import { say } from '../lib/i18n/catalogue';
import type { RunActionJob } from '../queues/job-schemas';
import { portalLanguage } from '../store/portal-store';
import { errorOutput } from './action-inputs';
import type { RunActionDeps } from './run-action-processor';

/** BullMQ's reason for a job it failed because it stalled more than `maxStalledCount` times. */
export const STALLED_FOR_GOOD = 'job stalled more than allowable limit';

/**
 * A robot call whose job BullMQ failed for stalling again and again (it kept killing its worker):
 * the processor's own error path never ran, so the robot is answered here — never left hanging.
 */
export function createStalledRunReporter(
  deps: Pick<RunActionDeps, 'portals' | 'outbox' | 'apiMessages' | 'waits' | 'messages' | 'metrics' | 'log' | 'clock'>,
) {
  return async function reportStalledRun(data: RunActionJob): Promise<void> {
    const portal = await deps.portals.get(data.memberId);
    if (!portal) return;
    const lang = portalLanguage(portal);
    if (data.source === 'api') {
      // The API caller reads the outcome with checkMessageStatus: it must not stay "queued" forever.
      // What the send step says decides it: a message that left is `sent` (never a failure a caller
      // would retry into a duplicate), one that may have left says so.
      const callKey = digest(`api|${data.messageId}`);
      const step = await deps.messages.sendStep(data.memberId, callKey, 0, '');
      const failure = new ActionError('internal_error', 'the send stopped its worker repeatedly', {
        says: say('error.detail.worker_stalled'),
      });
      await deps.apiMessages.settle(
        data.memberId,
        data.messageId,
        step.state === 'sent'
          ? { state: 'sent', providerMessageId: step.messageId, settledAt: deps.clock.now() }
          : {
              state: 'failed',
              errorCode: failure.code,
              errorText: failure.text(lang),
              maybeSent: step.state === 'maybe' ? '1' : undefined,
              settledAt: deps.clock.now(),
            },
      );
      deps.log.error({ memberId: data.memberId, code: data.code }, 'API send failed for good after repeated stalls');
      return;
    }
    if (!data.useSubscription) return;
    const call = { callKey: digest(data.eventToken) };
    await deps.waits.abandon(
      data.memberId,
      [deps.waits.idFor(call, 'reply'), deps.waits.idFor(call, 'delivery')],
      'send_failed',
    );
    const output = errorOutput(
      new ActionError('internal_error', 'the call stopped its worker repeatedly', {
        says: say('error.detail.worker_stalled'),
      }),
      lang,
    );
    const step = await deps.messages.sendStep(data.memberId, call.callKey, 0, deps.waits.idFor(call, 'reply'));
    if (step.state === 'sent') output.returnValues.message_id = step.messageId;
    if (step.state === 'maybe') output.returnValues.delivery_status = 'unknown';
    deps.metrics.errors.inc({ code: 'internal_error' });
    deps.log.error({ memberId: data.memberId, code: data.code }, 'robot call failed for good after repeated stalls');
    await deps.outbox.enqueue(data.memberId, { eventToken: data.eventToken, ...output });
  };
}
