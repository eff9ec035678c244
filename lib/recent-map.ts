/**
 * A bounded in-process memory: an entry is forgotten once `ttlMs` old (or when the clock went back
 * past it), and beyond `maxEntries` the one stored longest ago goes first. For copies that something
 * fresher backs up (a version check, a read again): forgetting costs one read, never a wrong answer.
 * The caller passes the time (its injected clock), so tests move it by hand.
 */
export class RecentMap<K, V> {
  private readonly entries = new Map<K, { value: V; storedAt: number }>();

  constructor(private readonly limits: { maxEntries: number; ttlMs: number }) {
    // Either would make it forget everything at once (every set evicts itself, every get misses).
    if (!Number.isInteger(limits.maxEntries) || limits.maxEntries < 1)
      throw new RangeError(`RecentMap maxEntries must be a positive integer, got ${limits.maxEntries}`);
    if (!(limits.ttlMs > 0)) throw new RangeError(`RecentMap ttlMs must be above 0, got ${limits.ttlMs}`);
  }

  /** The value stored under `key` less than `ttlMs` before `nowMs`; an older one is dropped. */
  get(key: K, nowMs: number): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    const age = nowMs - entry.storedAt;
    if (age >= 0 && age < this.limits.ttlMs) return entry.value;
    this.entries.delete(key);
    return undefined;
  }

  /** Stores (or replaces) the value as of `nowMs`; the oldest entry goes when the bound is passed. */
  set(key: K, value: V, nowMs: number): void {
    this.entries.delete(key);
    this.entries.set(key, { value, storedAt: nowMs });
    if (this.entries.size <= this.limits.maxEntries) return;
    const oldest = this.entries.keys().next();
    if (!oldest.done) this.entries.delete(oldest.value);
  }

  delete(key: K): void {
    this.entries.delete(key);
  }

  get size(): number {
    return this.entries.size;
  }
}
