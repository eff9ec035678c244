// Waiting out the server's refusals (429 + Retry-After, e.g. the session door's windows in
// app/settings/session-rate-limit.ts): one gate for all of the page's calls with one timer, so
// many refused calls never mean many timers, and a click during the wait never asks early (it
// holds every call, not only the refused door's: no click goes out while a renewal it needs waits).
// No DOM or Vue here: the timers come in (test/unit/web/retry-after.test.ts drives them by hand).
import { parseImfFixdate } from './http-date';

/** A wait the page takes when the answer names none, or an unreadable one. */
export const RETRY_AFTER_DEFAULT_MS = 30_000;
/** Never sooner: a `Retry-After: 0` (or a date already past) must not turn into a loop. */
export const RETRY_AFTER_MIN_MS = 1_000;
/**
 * Never longer: the server's windows are a minute; a wrong header must not freeze the page for
 * hours, and a renewal's waits must end while its session is still good (renewal.ts RENEWAL_BUDGET_MS).
 */
export const RETRY_AFTER_MAX_MS = 2 * 60_000;
/** Tries of one call (the first and its retries): renewal.ts RENEWAL_BUDGET_MS counts them. */
export const RETRY_AFTER_TRIES = 3;

/**
 * The wait a refusal's Retry-After asks for (RFC 9110 §10.2.3: delta-seconds or an HTTP date, the
 * date strictly an IMF-fixdate), within [RETRY_AFTER_MIN_MS, RETRY_AFTER_MAX_MS]; a missing or
 * unreadable header: RETRY_AFTER_DEFAULT_MS. `nowMs`: the time the date is measured from, best the
 * answer's own Date header (the server's clock, whatever the browser's says), else the browser's.
 */
export function retryAfterMs(header: string | null | undefined, nowMs: number): number {
  const text = header?.trim() ?? '';
  let waitMs = Number.NaN;
  if (/^\d+$/.test(text)) waitMs = Number(text) * 1000;
  else waitMs = (parseImfFixdate(text) ?? Number.NaN) - nowMs;
  if (!Number.isFinite(waitMs)) return RETRY_AFTER_DEFAULT_MS;
  return Math.min(RETRY_AFTER_MAX_MS, Math.max(RETRY_AFTER_MIN_MS, waitMs));
}

/** The clock and timer the gate runs on (the browser's; a test's own). */
export interface GateTimers {
  now(): number;
  /** Runs `run` after `ms`; returns what cancels it. */
  schedule(run: () => void, ms: number): () => void;
}

/** Holds the page's calls while the server asked it to wait. */
export interface RetryGate {
  /** When the wait ends (ms since the epoch), or null when calls may go. */
  until(): number | null;
  /** Holds calls for `ms` from now; a longer wait already running stays. Keeps one timer whatever the refusals. */
  close(ms: number): void;
  /** Resolves at once when open, else when the wait ends. */
  opened(): Promise<void>;
}

/** A gate on `timers`; `onChange` hears each new end of the wait, and null when it is over (the page's notice). */
export function createRetryGate(timers: GateTimers, onChange: (until: number | null) => void): RetryGate {
  let until: number | null = null;
  let cancel: (() => void) | null = null;
  let waiting: Array<() => void> = [];
  const open = () => {
    cancel = null;
    until = null;
    onChange(null);
    const released = waiting;
    waiting = [];
    for (const release of released) release();
  };
  return {
    until: () => until,
    close(ms) {
      const end = timers.now() + ms;
      if (until !== null && until >= end) return;
      cancel?.();
      until = end;
      cancel = timers.schedule(open, ms);
      onChange(end);
    },
    opened() {
      if (until === null) return Promise.resolve();
      return new Promise((resolve) => waiting.push(resolve));
    },
  };
}

/**
 * Runs `attempt` when the gate is open; a refusal (`waitOf` gives its wait, undefined for any other
 * failure) closes the gate for that wait and the attempt runs again when it opens, RETRY_AFTER_TRIES
 * times at most. The last refusal is thrown without closing the gate: nothing retries then, so the
 * page must not say it will (its notice follows the gate), and the next call goes when it is made.
 */
export async function throughGate<T>(
  gate: RetryGate,
  attempt: () => Promise<T>,
  waitOf: (error: unknown) => number | undefined,
  tries = RETRY_AFTER_TRIES,
): Promise<T> {
  for (let tried = 1; ; tried += 1) {
    await gate.opened();
    try {
      return await attempt();
    } catch (error) {
      const waitMs = waitOf(error);
      if (waitMs === undefined || tried >= tries) throw error;
      gate.close(waitMs);
    }
  }
}
