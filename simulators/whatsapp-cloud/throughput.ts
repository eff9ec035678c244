/** Sliding one-second window of accepted sends per phone number id. */

/** One number's accepted send times, oldest first; `head` skips the ones older than a second. */
interface SendTimes {
  times: number[];
  head: number;
}

/**
 * Per-number throughput limiter. Amortised O(1) per send (a filter over the last second's sends
 * cost O(limit) per send, which made the simulator the bottleneck at 1,000 msg/s on one number).
 */
export class ThroughputWindow {
  private readonly sends = new Map<string, SendTimes>();

  constructor(public perSec: number) {}

  /** True (and counted) when another send fits into the last second for `key`. */
  tryTake(key: string): boolean {
    const now = Date.now();
    let entry = this.sends.get(key);
    if (!entry) {
      entry = { times: [], head: 0 };
      this.sends.set(key, entry);
    }
    const { times } = entry;
    while (entry.head < times.length && now - (times[entry.head] ?? now) >= 1000) entry.head += 1;
    // Drop the skipped part now and then, so the array stays about one second long.
    if (entry.head > 4096) {
      times.splice(0, entry.head);
      entry.head = 0;
    }
    if (times.length - entry.head >= this.perSec) return false;
    times.push(now);
    return true;
  }
}
