import { z } from 'zod';
import type { Clock } from '../lib/clock';
import { digest, randomId } from '../lib/hash';
import { callbackScripts } from '../redis/callback-scripts';
import type { RedisClient } from '../redis/connect';
import type { RedisKeys } from '../redis/keys';

/**
 * One pending `bizproc.event.send`, as stored. Fields may only be added, and only as optional, and
 * `eventToken` and `queuedAt` never change: a row of a newer release is read by an older worker
 * during a rolling deploy (unknown keys are stripped), and one it cannot read but that has those two
 * is kept for the newer workers (workers/callback-row.ts setAsideUnreadable).
 */
export const callbackSchema = z.object({
  eventToken: z.string(),
  /**
   * Strings by name. An object with a string catchall, not z.record: the same check of a JSON
   * object, where z.record rebuilds it key by key (≈ 25 µs per callback read in a micro-benchmark).
   */
  returnValues: z.object({}).catchall(z.string()),
  logMessage: z.string(),
  /** The wait this callback ends, if any (a gone workflow cancels it). */
  waitId: z.string().optional(),
  attempts: z.number().int().default(0),
  queuedAt: z.number(),
});
export type Callback = z.infer<typeof callbackSchema>;

/** Id of a callback in the outbox: one per event token, so a repeat is never sent twice. */
export function callbackId(eventToken: string): string {
  return digest(eventToken);
}

/**
 * How long a confirmed index mark is trusted: once it lapses, the portal's next result writes the
 * index again (the lapse forces no write by itself). So on a busy portal an acknowledged index write
 * a failover lost is repaired within this; on a quiet one, by the next result or the maintenance sweep.
 * The same holds for a dispatcher's confirm after a failover of the portal's shard lost another
 * dispatcher's record of its move (callback-move-start-2.lua).
 */
export const INDEX_MARK_TTL_MS = 5000;

/** A fresh pending index mark for a script that queues a callback (callback-enqueue-3.lua, wait-end-10.lua). */
export function indexMark(): { token: string; pendingTtlMs: number } {
  return { token: randomId(6), pendingTtlMs: INDEX_MARK_TTL_MS };
}

/**
 * The index mark a dispatcher sets before it moves the index later or removes the portal, and
 * replaces after (callback-move-start-2.lua, callback-moved-2.lua: confirmed at the score written
 * by a move that was alone, else deleted). Every enqueuer writes the index while it is there, and
 * no confirm replaces it (callback-enqueue-3.lua: spelt as a pending mark, which every version of
 * the enqueue scripts leaves alone). Its token tells this move from another's. A dispatcher that dies
 * or fails between its index write and that end leaves this, not a confirmed mark the index no
 * longer honours; it lapses after `ttlMs` (only extra index writes until then), and so does its
 * registration among the moves under way (only moves without a confirm until then).
 */
export const INDEX_MOVING_MARK = { prefix: 'p:d:', ttlMs: 60_000 } as const;

/** A fresh moving mark for one index move. */
export function movingMark(): string {
  return `${INDEX_MOVING_MARK.prefix}${randomId(6)}`;
}

/** The per-portal callback outbox (write side). The dispatcher drains it in batches. */
export class CallbackOutbox {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
    private readonly clock: Clock,
  ) {}

  /** Queues a callback; false when this event token already has one queued. */
  async enqueue(memberId: string, callback: Omit<Callback, 'attempts' | 'queuedAt'>): Promise<boolean> {
    const now = this.clock.now();
    const entry: Callback = { ...callback, attempts: 0, queuedAt: now };
    const mark = indexMark();
    const { queued, mustIndex, mustConfirm } = await callbackScripts.enqueueCallback(
      this.redis,
      this.keys.callbackPending(memberId),
      this.keys.callbackDue(memberId),
      this.keys.callbackIndexed(memberId),
      { id: callbackId(callback.eventToken), json: JSON.stringify(entry), dueMs: now },
      mark,
    );
    // Skipped only behind a confirmed index write as early (callback-enqueue-3.lua): a burst of
    // results writes the index once. Behind another's write under way this one writes too but
    // confirms nothing: that write's confirm stands.
    if (mustIndex) await this.indexQueued(memberId, now, mustConfirm ? mark.token : undefined);
    return queued;
  }

  /**
   * After a script queued a callback due at `dueMs` and said the index must be written (a confirmed
   * mark as early lets it skip: a burst of results writes the index once): writes it, then confirms
   * the pending mark `confirmToken` that script set (none: another's write under way keeps its own
   * mark, lib/callback-mark.lua). Confirmed only after the write succeeded, so a crash or a failed
   * write leaves no confirmed mark and the next callback writes the index again.
   */
  async indexQueued(memberId: string, dueMs: number, confirmToken?: string): Promise<void> {
    await this.markDue(memberId, dueMs);
    if (confirmToken === undefined) return;
    await callbackScripts.confirmCallbackIndexed(
      this.redis,
      this.keys.callbackIndexed(memberId),
      confirmToken,
      dueMs,
      INDEX_MARK_TTL_MS,
    );
  }

  /**
   * Puts the portal into the global index of portals with due callbacks and wakes the
   * dispatchers (pub/sub: they sleep until then, with a slow safety poll).
   */
  async markDue(memberId: string, dueMs: number): Promise<void> {
    // LT adds a new member too (Redis ≥ 6.2) and only ever moves one earlier. Unchanged means the
    // portal was already due as early: the dispatchers know, so no wake-up per callback of a burst.
    // One script (callback-due-1.lua): the wake-up goes with the write, not a round trip after it.
    await callbackScripts.markCallbackDue(
      this.redis,
      this.keys.callbackPortals(),
      dueMs,
      memberId,
      this.keys.callbackWake(),
    );
  }

  async pendingCount(memberId: string): Promise<number> {
    return this.redis.hlen(this.keys.callbackPending(memberId));
  }
}
