import type { Clock } from '../../lib/clock';

/** A clock a test moves by hand: time-outs, retries and expiry are tested without sleeping. */
export interface ManualClock extends Clock {
  advance(ms: number): void;
  set(ms: number): void;
}

export function createManualClock(start = Date.UTC(2026, 11, 1, 9, 0, 0)): ManualClock {
  let now = start;
  return {
    now: () => now,
    advance(ms) {
      now += ms;
    },
    set(ms) {
      now = ms;
    },
  };
}
