import type { Clock } from './clock';

/** The first pause after a key's drain failed (doubling with each failure in a row, up to a cap). */
export const DRAIN_RETRY_BASE_MS = 250;

/**
 * How a key whose drain failed waits before its next drain (injected clock). A pause is never under
 * 1 ms and the cap never under the base (a cap of 0, e.g. a safety poll of 0, would otherwise let a
 * failing key start again at once: fail, wake, drain, with no sleep between).
 */
export interface DrainBackoff {
  clock: Clock;
  baseMs: number;
  maxMs: number;
}

/**
 * The drains one process runs, by key (a portal, a subscription), one per key at a time. A drain
 * that ends leaves the set; one that did not fail then calls `ended` (its loop looks again: more
 * may be due), one that failed is passed to `failed`, so a Redis that refuses writes is not
 * hammered: without a `backoff` it ends there (the next wake-up or the safety poll looks again);
 * with one, the key may start again only after a pause (`mayStart`; doubling per failure in a row,
 * reset by a drain that did not fail or by one begun a cap after the last pause), and `ended` is called too: its
 * loop looks again now, finds the key pausing and sleeps no longer than `retryIn` (a pass that
 * chose its sleep before the failure would sleep to the safety poll).
 */
export class TrackedDrains {
  private readonly running = new Map<string, Promise<void>>();
  /**
   * Keys whose last drain here failed: failures in a row and when (clock) the next may start. An
   * entry is dropped a cap after its pause ended, unless its key is draining: the key may have been drained by another process
   * or left the index since, so a good drain here may never come to reset it.
   */
  private readonly failing = new Map<string, { failures: number; retryAt: number }>();
  private readonly backoff?: DrainBackoff;

  constructor(backoff?: DrainBackoff) {
    if (!backoff) return;
    const baseMs = Math.max(1, backoff.baseMs);
    this.backoff = { clock: backoff.clock, baseMs, maxMs: Math.max(baseMs, backoff.maxMs) };
  }

  get size(): number {
    return this.running.size;
  }

  has(key: string): boolean {
    return this.running.has(key);
  }

  /**
   * True when `key` may start a drain at `now` (default the clock's now): none running, and no
   * pause after a failure left. A pass gives the instant it read its due keys at, and the same to
   * `retryIn`: a pause that ends while the pass runs is then either over for both (the pass starts
   * the key) or for neither (the pass sleeps until it ends), never skipped by one and left out by
   * the other (the loop would sleep to its safety poll).
   */
  mayStart(key: string, now?: number): boolean {
    if (this.running.has(key)) return false;
    const retryAt = this.failing.get(key)?.retryAt;
    // `failing` has entries only with a backoff (noteFailure), so the fallback is never used.
    return retryAt === undefined || retryAt <= (now ?? this.backoff?.clock.now() ?? retryAt);
  }

  /**
   * How long (ms) from `now` (default the clock's now; a pass gives the instant it gave `mayStart`)
   * until the first key pausing after a failure may drain again; undefined when none is. Forgets
   * the entries a cap past their pause on the way (each pass of a loop asks this).
   */
  retryIn(at?: number): number | undefined {
    if (!this.backoff) return undefined;
    const { clock, maxMs } = this.backoff;
    const now = at ?? clock.now();
    let first: number | undefined;
    for (const [key, { retryAt }] of this.failing) {
      // Pauses already over are left out: such a key is started by a pass when it is due (none spins).
      // A cap past its pause it is forgotten (no longer in a row), unless its key is draining: that
      // drain's failure reads it.
      if (retryAt > now) {
        if (first === undefined || retryAt < first) first = retryAt;
      } else if (retryAt + maxMs <= now && !this.running.has(key)) this.failing.delete(key);
    }
    return first === undefined ? undefined : first - now;
  }

  /**
   * How long a loop's pass at `now` sleeps: until the next key is due (`nextDueMs`, a score read
   * from its index; undefined when none is), a failed drain's pause ends, or `pollMs` at most.
   */
  sleepMs(now: number, nextDueMs: string | undefined, pollMs: number): number {
    const dueMs = nextDueMs === undefined ? pollMs : Math.max(1, Number(nextDueMs) - now);
    return Math.min(pollMs, dueMs, this.retryIn(now) ?? pollMs);
  }

  /** Starts `drain` now as `key`'s drain. */
  start(key: string, drain: () => Promise<unknown>, on: { failed: (error: unknown) => void; ended: () => void }): void {
    const startedAt = this.backoff?.clock.now() ?? 0;
    const settled = drain().then(
      () => {
        this.running.delete(key);
        this.failing.delete(key);
        on.ended();
      },
      (error: unknown) => {
        this.running.delete(key);
        this.noteFailure(key, startedAt);
        on.failed(error);
        if (this.backoff) on.ended();
      },
    );
    this.running.set(key, settled);
  }

  /** Resolves when the drains running now have ended (failed ones included). */
  async settled(): Promise<void> {
    await Promise.all(this.running.values());
  }

  /** `startedAt`: when the failed drain began (clock). */
  private noteFailure(key: string, startedAt: number): void {
    if (!this.backoff) return;
    const { clock, baseMs, maxMs } = this.backoff;
    const now = clock.now();
    const last = this.failing.get(key);
    // A drain begun a cap or more after the last pause ended is not "in a row" (the portal may have
    // been drained well elsewhere meanwhile): it starts again from the base pause. Measured from
    // the drain's start, not its failure: a drain that runs longer than a cap before it fails is
    // still the next one in the row (it would otherwise always pause the base, 250 ms).
    const failures = (last && last.retryAt + maxMs > startedAt ? last.failures : 0) + 1;
    // The exponent is bounded so a portal failing for days cannot overflow it.
    const pauseMs = Math.min(maxMs, baseMs * 2 ** Math.min(failures - 1, 30));
    this.failing.set(key, { failures, retryAt: now + pauseMs });
  }
}
