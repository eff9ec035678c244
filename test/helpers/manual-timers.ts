import type { GateTimers } from '../../web/src/retry-after';

/** Lets every promise continuation queued so far run (a macrotask turn comes after all microtasks). */
export const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** The settings page's timers (web/src/retry-after.ts GateTimers) moved by hand: what is due runs when the test advances past it. */
export function createManualTimers(start = Date.UTC(2026, 11, 1, 9, 0, 0)) {
  let now = start;
  let timers: Array<{ at: number; run: () => void }> = [];
  const timersApi: GateTimers = {
    now: () => now,
    schedule(run, ms) {
      const timer = { at: now + ms, run };
      timers.push(timer);
      return () => {
        timers = timers.filter((t) => t !== timer);
      };
    },
  };
  return {
    ...timersApi,
    pending: () => timers.length,
    /** A signal aborted `ms` from now on these timers (the page's AbortSignal.timeout). */
    timeoutSignal(ms: number): AbortSignal {
      const controller = new AbortController();
      timersApi.schedule(() => controller.abort(new DOMException('timed out', 'TimeoutError')), ms);
      return controller.signal;
    },
    /** Moves the time by `ms`, runs what fell due, then lets the released calls run up to their next wait. */
    async advance(ms: number) {
      now += ms;
      const due = timers.filter((t) => t.at <= now);
      timers = timers.filter((t) => t.at > now);
      for (const timer of due) timer.run();
      await settle();
    },
  };
}
