/** Sliding one-second window of accepted sends per phone number id. */

/** Per-number throughput limiter. */
export class ThroughputWindow {
  private readonly sends = new Map<string, number[]>();

  constructor(public perSec: number) {}

  /** True (and counted) when another send fits into the last second for `key`. */
  tryTake(key: string): boolean {
    const now = Date.now();
    const list = (this.sends.get(key) ?? []).filter((t) => now - t < 1000);
    if (list.length >= this.perSec) {
      this.sends.set(key, list);
      return false;
    }
    list.push(now);
    this.sends.set(key, list);
    return true;
  }
}
