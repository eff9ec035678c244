/**
 * The drains one process runs, by key (a portal, a subscription), one per key at a time. A drain
 * that ends leaves the set; one that did not fail then calls `ended` (its loop looks again: more
 * may be due), one that failed is passed to `failed` and ends there: the next wake-up or the safety
 * poll looks again, so a Redis that refuses writes is not hammered.
 */
export class TrackedDrains {
  private readonly running = new Map<string, Promise<void>>();

  get size(): number {
    return this.running.size;
  }

  has(key: string): boolean {
    return this.running.has(key);
  }

  /** Starts `drain` now as `key`'s drain. */
  start(key: string, drain: () => Promise<unknown>, on: { failed: (error: unknown) => void; ended: () => void }): void {
    const settled = drain().then(
      () => {
        this.running.delete(key);
        on.ended();
      },
      (error: unknown) => {
        this.running.delete(key);
        on.failed(error);
      },
    );
    this.running.set(key, settled);
  }

  /** Resolves when the drains running now have ended (failed ones included). */
  async settled(): Promise<void> {
    await Promise.all(this.running.values());
  }
}
