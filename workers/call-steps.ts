import { type MessageStore, readStep, type SendStep } from '../store/message-store';
import type { SendOnceDeps } from './send-once';

/** The message store as one attempt of a call uses it. */
export type CallStepStore = SendOnceDeps['messages'] & Pick<MessageStore, 'sentStep' | 'rememberStep' | 'callSteps'>;

/** The store for one attempt, which can also read the steps along with another read of the portal. */
export type CallStepReader = CallStepStore & {
  /**
   * `withSteps` (another read that also answers the steps of the call it is handed, in the same
   * round trip) when this attempt has no copy of the steps yet, which then becomes the copy; else
   * `alone`. It is handed this attempt's portal and call: the copy can only be this call's steps.
   */
  along<T>(
    withSteps: (memberId: string, callKey: string) => Promise<{ value: T; steps: Record<string, string> }>,
    alone: () => Promise<T>,
  ): Promise<T>;
};

/**
 * The message store for one attempt of one call, reading the call's sent-step hash once: a
 * free-form send looked at it three times (the window decision, the step an earlier attempt took,
 * the step again just before the send), one command each. Every write of this attempt to the hash
 * drops the copy (before and after the write), so the attempt always reads back what it wrote.
 * Another process's write after the read is seen as it was with separate reads made earlier: the
 * decisions that must be exact (claiming the step before the provider call, recording its answer)
 * are made in Redis by send-step-claim-3.lua and send-record-5.lua, never from this copy. A step
 * held by a wait is read with the wait (MessageStore.sendStep), never from here. A free-form send
 * takes the copy along with its read of the customer's window (`along`: window-read-5.lua).
 */
export function callStepsOf(messages: CallStepStore, memberId: string, callKey: string): CallStepReader {
  let copy: Promise<Record<string, string>> | null = null;
  const field = async (step: number | string): Promise<string | null> => {
    copy ??= messages.callSteps(memberId, callKey);
    const fields = await copy.catch((error: unknown) => {
      copy = null;
      throw error;
    });
    return fields[String(step)] ?? null;
  };
  const ours = (m: string, k: string) => m === memberId && k === callKey;
  /** A write to the hash: the copy goes before it starts and again once it is done. */
  const writing = async <T>(write: () => Promise<T>): Promise<T> => {
    copy = null;
    try {
      return await write();
    } finally {
      copy = null;
    }
  };
  return {
    async along(withSteps, alone) {
      if (copy) return alone();
      const both = withSteps(memberId, callKey);
      const steps = both.then((read) => read.steps);
      // `field` handles a failure when it reads the copy; this drops it either way (never an unhandled rejection).
      steps.catch(() => {
        if (copy === steps) copy = null;
      });
      copy = steps;
      return (await both).value;
    },
    callSteps: (m, k) => messages.callSteps(m, k),
    async sentStep(m, k, step) {
      if (!ours(m, k)) return messages.sentStep(m, k, step);
      const found = readStep(await field(step));
      return found.state === 'sent' ? found.messageId : null;
    },
    async sendStep(m, k, step, waitId = ''): Promise<SendStep> {
      if (waitId || !ours(m, k)) return messages.sendStep(m, k, step, waitId);
      const found = readStep(await field(step));
      // A "maybe" may decide a skip (if_maybe_sent) or a late template: read it fresh, as another
      // live attempt may have recorded the step since the copy was made. One command, on this path only.
      return found.state === 'maybe' ? messages.sendStep(m, k, step) : found;
    },
    rememberStep: (m, k, step, value) => writing(() => messages.rememberStep(m, k, step, value)),
    claimSendStep: (m, k, step, now, waitId) => writing(() => messages.claimSendStep(m, k, step, now, waitId)),
    releaseSendStep: (m, k, step, claim) => writing(() => messages.releaseSendStep(m, k, step, claim)),
    recordSend: (sent) => writing(() => messages.recordSend(sent)),
  };
}
