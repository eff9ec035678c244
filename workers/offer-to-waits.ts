import type { Logger } from '../lib/logger';
import type { InboundMessage } from '../providers/inbound-message';
import { isLastAttempt, isRetry, type JobRun } from '../queues/job-retry';
import type { Line } from '../store/line-store';
import type { TakeReplyOptions } from '../waits/take-reply';

export interface OfferDeps {
  log: Logger;
  /**
   * Offers a customer message to the waits; true when a wait took it. It reads the waits at once but
   * touches none before `ready` resolves (the message's first writes are done). `retried`: the job
   * ran before, and may have ended a wait already. `subscribed`: the job's read of the portal's
   * outbound-event subscriptions (whether the end builds its `wait.ended` up front).
   */
  takeReply?: (line: Line, message: InboundMessage, options?: TakeReplyOptions) => Promise<boolean>;
  /** The wait this customer message ended, if it ended one (its claim marker), else null. */
  waitEndedBy?: (memberId: string, messageId: string) => Promise<string | null>;
}

/** True when a wait took the message. */
export async function offerToWaits(
  deps: OfferDeps,
  job: JobRun<unknown>,
  line: Line,
  message: InboundMessage,
  ready: Promise<void>,
  events: Pick<TakeReplyOptions, 'subscribed' | 'lateSubscriber' | 'portalVersion' | 'namedWait'>,
): Promise<boolean> {
  try {
    return (await deps.takeReply?.(line, message, { ready, retried: isRetry(job), ...events })) === true;
  } catch (error) {
    // Retried while attempts remain; on the last one the message still goes on, never lost.
    if (!isLastAttempt(job)) throw error;
    // Not when its own first writes failed: then nothing goes on (the job fails with their error).
    const firstWritesFailed = await ready.then(
      () => false,
      () => true,
    );
    if (firstWritesFailed) throw error;
    // A wait this message ended (the failure came after its claim, e.g. the index write) keeps it:
    // passing it on too would show one answer twice. Its callback is found by the index sweep.
    const endedWait = await deps.waitEndedBy?.(line.memberId, message.id).catch(() => null);
    if (endedWait) {
      deps.log.error(
        { err: error, messageId: message.id, waitId: endedWait },
        'a wait took the reply, then its last attempt failed: the callback is left to the index sweep',
      );
      return true;
    }
    deps.log.error(
      { err: error, messageId: message.id },
      'could not offer the reply to the waits; passed on as an ordinary message',
    );
    return false;
  }
}
