import type { GupshupRefusalTiming } from './types';

const WINDOW_MS = 86_400_000;

/**
 * The 24-hour customer window of each app's number as the simulator keeps it: when each customer
 * last wrote, whether the window is enforced, and the refusals a test holds back to release later.
 */
export class GupshupCustomerWindows {
  /** `<app>|<number>` → when the customer last wrote (ms of the simulator's clock). */
  private readonly lastInbound = new Map<string, number>();
  private readonly held: string[] = [];
  enforced = false;
  timing: GupshupRefusalTiming = 'after-answer';

  constructor(private readonly now: () => number) {}

  /** The customer wrote: their window on this app's number runs 24 hours from now. Returns now. */
  noteInbound(appName: string, number: string): number {
    const at = this.now();
    this.lastInbound.set(`${appName}|${number}`, at);
    return at;
  }

  /**
   * What becomes of a session message to `number` once accepted: nothing (the window is open or not
   * enforced), 'refuse' (its failed event goes right after the answer) or 'held' (kept for the test).
   */
  sessionMessage(appName: string, number: string, messageId: string): 'sent' | 'refuse' | 'held' {
    const last = this.lastInbound.get(`${appName}|${number}`);
    if (!this.enforced || (last !== undefined && this.now() < last + WINDOW_MS)) return 'sent';
    if (this.timing === 'after-answer') return 'refuse';
    this.held.push(messageId);
    return 'held';
  }

  /** The held refusals, in order, taken out. */
  takeHeld(): string[] {
    return this.held.splice(0);
  }
}
