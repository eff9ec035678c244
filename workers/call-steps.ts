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
  return new AttemptSteps(messages, memberId, callKey);
}

/**
 * `callStepsOf`'s store: a class, so a job builds one object, not a dozen closures (each named at
 * creation under tsx: a visible share of the worker's CPU per sent message, issue 10).
 */
class AttemptSteps implements CallStepReader {
  private copy: Promise<Record<string, string>> | null = null;

  constructor(
    private readonly messages: CallStepStore,
    private readonly memberId: string,
    private readonly callKey: string,
  ) {}

  private async field(step: number | string): Promise<string | null> {
    this.copy ??= this.messages.callSteps(this.memberId, this.callKey);
    const fields = await this.copy.catch((error: unknown) => {
      this.copy = null;
      throw error;
    });
    return fields[String(step)] ?? null;
  }

  private ours(m: string, k: string): boolean {
    return m === this.memberId && k === this.callKey;
  }

  /**
   * A write to the hash: the copy goes before it starts and again once it is done. Async and
   * handed the call, so even a write that throws at once comes back as a rejection.
   */
  private async writing<T>(write: () => Promise<T>): Promise<T> {
    this.copy = null;
    try {
      return await write();
    } finally {
      this.copy = null;
    }
  }

  async along<T>(
    withSteps: (memberId: string, callKey: string) => Promise<{ value: T; steps: Record<string, string> }>,
    alone: () => Promise<T>,
  ): Promise<T> {
    if (this.copy) return alone();
    const both = withSteps(this.memberId, this.callKey);
    const steps = both.then((read) => read.steps);
    // `field` handles a failure when it reads the copy; this drops it either way (never an unhandled rejection).
    steps.catch(() => {
      if (this.copy === steps) this.copy = null;
    });
    this.copy = steps;
    return (await both).value;
  }

  callSteps(m: string, k: string): Promise<Record<string, string>> {
    return this.messages.callSteps(m, k);
  }

  async sentStep(m: string, k: string, step: number | string): Promise<string | null> {
    if (!this.ours(m, k)) return this.messages.sentStep(m, k, step);
    const found = readStep(await this.field(step));
    return found.state === 'sent' ? found.messageId : null;
  }

  async sendStep(m: string, k: string, step: number, waitId = ''): Promise<SendStep> {
    if (waitId || !this.ours(m, k)) return this.messages.sendStep(m, k, step, waitId);
    const found = readStep(await this.field(step));
    // A "maybe" may decide a skip (if_maybe_sent) or a late template: read it fresh, as another
    // live attempt may have recorded the step since the copy was made. One command, on this path only.
    return found.state === 'maybe' ? this.messages.sendStep(m, k, step) : found;
  }

  // Each write drops the copy before it starts and once it is done (`writing`).
  rememberStep(...args: Parameters<CallStepStore['rememberStep']>): ReturnType<CallStepStore['rememberStep']> {
    return this.writing(() => this.messages.rememberStep(...args));
  }

  claimSendStep(...args: Parameters<CallStepStore['claimSendStep']>): ReturnType<CallStepStore['claimSendStep']> {
    return this.writing(() => this.messages.claimSendStep(...args));
  }

  releaseSendStep(...args: Parameters<CallStepStore['releaseSendStep']>): ReturnType<CallStepStore['releaseSendStep']> {
    return this.writing(() => this.messages.releaseSendStep(...args));
  }

  recordSend(...args: Parameters<CallStepStore['recordSend']>): ReturnType<CallStepStore['recordSend']> {
    return this.writing(() => this.messages.recordSend(...args));
  }
}
