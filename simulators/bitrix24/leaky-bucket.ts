/** A leaky bucket: each request adds 1, the level drains at `drainPerSec`. */
import type { RestLimit } from './types';

/** Per-portal REST request limiter. */
export class LeakyBucket {
  private level = 0;
  private last: number;

  /** `now`: the bucket's time source (a test's manual clock; the real clock by default). */
  constructor(
    private limit: RestLimit,
    private readonly now: () => number = Date.now,
  ) {
    this.last = now();
  }

  /** Changes the limits (the current level is kept). */
  setLimit(limit: RestLimit): void {
    this.drain();
    this.limit = limit;
  }

  private drain(): void {
    const now = this.now();
    this.level = Math.max(0, this.level - ((now - this.last) / 1000) * this.limit.drainPerSec);
    this.last = now;
  }

  /** Adds one request; false when that would overflow the bucket. */
  take(): boolean {
    this.drain();
    if (this.level + 1 > this.limit.burst) return false;
    this.level += 1;
    return true;
  }
}
