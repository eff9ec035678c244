import { sentReturnValues } from '../actions/common-properties';
import type { Clock } from '../lib/clock';
import { ActionError, AppError } from '../lib/errors/app-error';
import type { Logger } from '../lib/logger';
import type { LineSender } from '../lines/line-sender';
import type { WindowFallback, WindowFallbacks } from '../lines/window-fallbacks';
import type { InboundStatus } from '../providers/inbound-message';
import type { RedisKeys } from '../redis/keys';
import type { Line } from '../store/line-store';
import type { MessageStore } from '../store/message-store';
import { storedMessagePatch } from '../waits/stored-wait';
import type { Wait } from '../waits/wait-schema';
import type { WaitStore } from '../waits/wait-store';

/** The step a late fallback template takes in its call: clear of the action's own steps. */
export const LATE_FALLBACK_STEP = 2000;

/** WhatsApp's "outside the 24-hour window" error, as message records keep it. */
export const WINDOW_REFUSED = '131047';

export interface WindowRefusalDeps {
  windowFallbacks: Pick<WindowFallbacks, 'get'>;
  lineSender: Pick<LineSender, 'sendWaiting' | 'prepare'>;
  messages: Pick<MessageStore, 'get' | 'claimSendStep' | 'releaseSendStep' | 'recordSend'>;
  waits: { store: Pick<WaitStore, 'findByMessage'> };
  keys: Pick<RedisKeys, 'waitIndexPhoneField'>;
  clock: Clock;
  log: Logger;
}

/** The job attempt handling the status: on the last one a refused template ends the wait instead of retrying. */
export interface RefusalAttempt {
  lastAttempt: boolean;
}

/**
 * A free-form message WhatsApp accepted and then refused for the closed window (a `failed` status
 * with 131047), sent by a robot that chose "send a template instead": the template goes now, and
 * the wait on the refused message (reply or delivery) moves to it and keeps waiting. True when
 * handled so (the failure then ends no wait); false for any other status, and when the template
 * itself is refused for good (the wait then ends with the refusal: window_closed).
 */
export function createWindowRefusalHandler(deps: WindowRefusalDeps) {
  return async function onWindowRefused(
    line: Line,
    status: InboundStatus,
    attempt: RefusalAttempt = { lastAttempt: true },
  ): Promise<boolean> {
    if (status.status !== 'failed' || status.errors?.[0]?.code !== 131047) return false;
    const { memberId } = line;
    // Only a refusal that came after the send's record owns the fallback (`fb`, send-record-5.lua);
    // one that beat it is the sender's to answer.
    const ref = (await deps.messages.get(memberId, status.id))?.fallbackRef;
    const fallback = ref ? await deps.windowFallbacks.get(memberId, ref) : null;
    if (!fallback) return false;
    const wait = await deps.waits.store.findByMessage(memberId, status.id);
    // The wait already moved to the template (an earlier attempt, or the status sent twice): done.
    if (wait && wait.messageId !== status.id) return true;
    try {
      await sendOnce(deps, line, status, fallback, wait?.status === 'open' ? wait : null);
    } catch (error) {
      const retry = error instanceof AppError ? error.retryable : true;
      if (retry && !attempt.lastAttempt) throw error;
      // The template cannot go (deleted, paused, …): the refusal ends the wait as any failure does.
      deps.log.warn(
        { memberId, line: line.id, refused: status.id, template: fallback.content.name, err: error },
        'window closed after all (131047), and the fallback template was refused too',
      );
      return false;
    }
    return true;
  };
}

/**
 * Sends the template once: the call's step is marked in flight right before the provider call, so
 * a retried job finds it sent (or maybe sent: the call's `if_maybe_sent` decides), as sendOnce does.
 */
async function sendOnce(
  deps: WindowRefusalDeps,
  line: Line,
  status: InboundStatus,
  fallback: WindowFallback,
  open: Wait | null,
): Promise<void> {
  const { memberId } = line;
  const { callKey } = fallback;
  // Looked up before the mark (GupShup's template id): a failed look-up leaves no "maybe sent".
  const content = await deps.lineSender.prepare(line, fallback.content);
  const claim = await deps.messages.claimSendStep(memberId, callKey, LATE_FALLBACK_STEP, deps.clock.now());
  const { earlier } = claim;
  if (earlier.state === 'sent') return;
  if (earlier.state === 'maybe') {
    const skip = fallback.ifMaybeSent === 'skip';
    deps.log.warn(
      { memberId, refused: status.id, markedAt: earlier.markedAt, skip },
      'the late fallback template may have left before a failure',
    );
    if (skip) return;
  }
  let sent: Awaited<ReturnType<LineSender['sendWaiting']>>;
  try {
    sent = await deps.lineSender.sendWaiting(line, { to: fallback.to, content });
  } catch (error) {
    // Refused outright: nothing left, so a retry is a first send, not a "maybe sent".
    if (!(error instanceof ActionError && error.outcomeUnknown))
      await deps.messages.releaseSendStep(memberId, callKey, LATE_FALLBACK_STEP, claim);
    throw error;
  }
  const id = sent.providerMessageId;
  const baseReturn = { ...sentReturnValues(id), sent_as: 'template' };
  await deps.messages.recordSend({
    memberId,
    callKey,
    step: LATE_FALLBACK_STEP,
    providerMessageId: id,
    phone: fallback.to,
    waId: sent.waId,
    sentAt: deps.clock.now(),
    wait: open
      ? {
          id: open.id,
          patchJson: JSON.stringify(storedMessagePatch(id, baseReturn)),
          aliasField: sent.waId ? deps.keys.waitIndexPhoneField(line.id, sent.waId) : '',
        }
      : undefined,
  });
  deps.log.info(
    { memberId, line: line.id, refused: status.id, template: fallback.content.name, sent: id, waitId: open?.id },
    'window closed after all (131047): the fallback template sent instead',
  );
}
