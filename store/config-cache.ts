import { type Clock, systemClock } from '../lib/clock';
import { randomId } from '../lib/hash';
import { RecentMap } from '../lib/recent-map';
import type { RedisClient } from '../redis/connect';
import type { RedisKeys } from '../redis/keys';
import { scripts } from '../redis/scripts';

export interface ConfigCacheOptions {
  /** How long a copy is kept at most, even while its version holds (a safety net, not the invalidation). */
  ttlMs?: number;
  /** Copies kept at most (oldest first out): a process serving many portals stays bounded. */
  maxEntries?: number;
  clock?: Clock;
}

type Entry = { version: string; value: unknown };

/**
 * In-process copies of a portal's decrypted records (its tokens, its lines), so a job or a robot
 * call does not decrypt and parse them again. Every write of a portal record or a line sets the
 * portal's config version to a new random value in the same MULTI/script as the write; a reader
 * reads that version (one GET) before anything else and uses a copy only when it was taken under
 * the same version. So a removed line or a re-install's new tokens are seen by every process at
 * once. A random value, not a counter: a portal forgotten (its keys deleted) and installed again
 * never meets an old copy under a recycled number.
 */
export class ConfigCache {
  private readonly entries: RecentMap<string, Entry>;
  /** Version reads asked for and not yet issued, by portal (see version). */
  private readonly sharedReads = new Map<string, Promise<string | null>>();
  /** How long a copy is kept at most; other per-process copies backed by the same reads use it too. */
  readonly ttlMs: number;
  readonly clock: Clock;

  constructor(
    private readonly redis: RedisClient,
    private readonly keys: Pick<RedisKeys, 'configVersion' | 'portal'>,
    options: ConfigCacheOptions = {},
  ) {
    this.ttlMs = options.ttlMs ?? 5000;
    this.clock = options.clock ?? systemClock;
    this.entries = new RecentMap({ maxEntries: options.maxEntries ?? 10_000, ttlMs: this.ttlMs });
  }

  /**
   * The portal's current config version, read before the records it will guard (one GET, shared by
   * the reads of this portal asked for before it goes out: see below). A portal whose version is
   * missing (stored before versions existed) gets one now; null when the portal has no record (then
   * nothing is cached). The GET goes out on the next tick at the earliest: await this before the
   * reads it guards, never beside them (they would then be older than the version they are kept under).
   * Waits one real `process.nextTick`: fake timers that fake it would hold every read.
   */
  version(memberId: string): Promise<string | null> {
    // Asked for again before the shared read is issued: that read, issued after this call too, is
    // as fresh as one of its own would be (jobs of one portal start in bursts, a batch of Redis
    // answers starting several: one GET per burst). A tick, not a turn of the event loop: a robot
    // call's GET does not wait for the other requests of its poll phase.
    const shared = this.sharedReads.get(memberId);
    if (shared) return shared;
    const read = new Promise<void>((resolve) => process.nextTick(resolve)).then(() => {
      // Dropped before the GET goes out: a caller after this point gets a read of its own.
      if (this.sharedReads.get(memberId) === read) this.sharedReads.delete(memberId);
      return this.readVersion(memberId);
    });
    this.sharedReads.set(memberId, read);
    return read;
  }

  private async readVersion(memberId: string): Promise<string | null> {
    const key = this.keys.configVersion(memberId);
    const current = await this.redis.get(key);
    if (current !== null) return current;
    return scripts.configVersion(this.redis, { version: key, record: this.keys.portal(memberId) }, randomId());
  }

  /** The copy of `slot` taken under `version`, if any and still young. */
  lookup<T>(slot: string, version: string | null): T | undefined {
    if (version === null) return undefined;
    const entry = this.entries.get(slot, this.clock.now());
    if (!entry) return undefined;
    if (entry.version !== version) {
      this.entries.delete(slot);
      return undefined;
    }
    // Values are stored by the typed store that reads them back under the same slot name.
    return entry.value as T;
  }

  /**
   * The young copy of `slot` and the version it was taken under, unchecked: for a caller that has
   * Redis check that version in the same step as what it does with the copy.
   */
  peek<T>(slot: string): { version: string; value: T } | undefined {
    const entry = this.entries.get(slot, this.clock.now());
    // Values are stored by the typed store that reads them back under the same slot name.
    return entry ? { version: entry.version, value: entry.value as T } : undefined;
  }

  store(slot: string, version: string | null, value: unknown): void {
    if (version === null) return;
    this.entries.set(slot, { version, value }, this.clock.now());
  }
}

/** Adds "the portal's config changed" to a write's MULTI: every process's copies lapse at once. */
/** A fresh config version: random, so a forgotten and re-installed portal never matches an old copy. */
export function newConfigVersion(): string {
  return randomId();
}
