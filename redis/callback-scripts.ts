import type { RedisClient } from './connect';
import { asNumber, run } from './scripts';

type RedisValue = string | number;

/**
 * A leased outbox row: `sha` is the SHA1 of its stored bytes, hashed by Redis (ioredis decodes the
 * json as UTF-8, invalid bytes as U+FFFD, so a hash of `json` in Node would not match them).
 */
export type ClaimedRow = { id: string; json: string; sha: string };
/** A row whose due time alone moves, while it still hashes to `sha` (its json as claimed). */
export type Reschedule = { id: string; sha: string; dueMs: number };

/** Typed wrappers of the callback outbox's scripts (a portal's pending callbacks and the global index of due portals). */
export const callbackScripts = {
  /**
   * `mustIndex`: the caller writes the global index, false only when the index is known to hold the
   * portal as early; `mustConfirm`: then confirms (`confirmCallbackIndexed`) the mark it set, false
   * when another's write or a dispatcher's move is under way (callback-enqueue-3.lua says why).
   */
  async enqueueCallback(
    redis: RedisClient,
    pendingKey: string,
    dueKey: string,
    indexedKey: string,
    entry: { id: string; json: string; dueMs: number },
    mark: { token: string; pendingTtlMs: number },
  ): Promise<{ queued: boolean; mustIndex: boolean; mustConfirm: boolean }> {
    const reply = await run(
      redis,
      'callback-enqueue-3',
      [pendingKey, dueKey, indexedKey],
      [entry.id, entry.json, entry.dueMs, mark.token, mark.pendingTtlMs],
    );
    const [queued, mustIndex]: unknown[] = Array.isArray(reply) ? reply : [];
    const index = asNumber(mustIndex);
    return { queued: asNumber(queued) === 1, mustIndex: index !== 0, mustConfirm: index === 1 };
  },
  /** Puts the portal into the global index of due portals (only ever earlier) and wakes the dispatchers when it changed. */
  async markCallbackDue(redis: RedisClient, indexKey: string, dueMs: number, memberId: string, channel: string) {
    return asNumber(await run(redis, 'callback-due-1', [indexKey], [dueMs, memberId, channel])) === 1;
  },
  /** True when the mark set by this caller's enqueue was still there and now says the index holds `dueMs`. */
  async confirmCallbackIndexed(
    redis: RedisClient,
    indexedKey: string,
    token: string,
    dueMs: number,
    ttlMs: number,
  ): Promise<boolean> {
    return asNumber(await run(redis, 'callback-indexed-1', [indexedKey], [token, dueMs, ttlMs])) === 1;
  },
  /** Begins a dispatcher's index move (callback-move-start-2.lua); true when no other move is under way. */
  async startIndexMove(
    redis: RedisClient,
    keys: { mark: string; moves: string },
    moving: string,
    ttlMs: number,
  ): Promise<boolean> {
    return asNumber(await run(redis, 'callback-move-start-2', [keys.mark, keys.moves], [moving, ttlMs])) === 1;
  },
  /**
   * Ends a dispatcher's index move (callback-moved-2.lua): confirms `score` (-1: the portal left the
   * index) when the move was alone, is still registered and its mark is still there, else leaves no
   * mark it cannot vouch for (an older dispatcher's 'd' stays for its own delete). True when it confirmed.
   */
  async endIndexMove(
    redis: RedisClient,
    keys: { mark: string; moves: string },
    move: { moving: string; alone: boolean },
    score: number,
    ttlMs: number,
  ): Promise<boolean> {
    const args = [move.moving, score, move.alone ? 1 : 0, ttlMs];
    return asNumber(await run(redis, 'callback-moved-2', [keys.mark, keys.moves], args)) === 1;
  },
  async claimCallbacks(
    redis: RedisClient,
    pendingKey: string,
    dueKey: string,
    nowMs: number,
    max: number,
    leaseMs: number,
  ): Promise<ClaimedRow[]> {
    const reply = await run(redis, 'callback-claim-2', [pendingKey, dueKey], [nowMs, max, leaseMs]);
    const flat: unknown[] = Array.isArray(reply) ? reply : [];
    const out: ClaimedRow[] = [];
    for (let i = 0; i + 2 < flat.length; i += 3) {
      out.push({ id: String(flat[i]), json: String(flat[i + 1]), sha: String(flat[i + 2]) });
    }
    return out;
  },
  /**
   * Acks, reschedules (only the due time moves, only later, while the row still hashes as claimed)
   * and retries (json and due time); returns the earliest due ms left, or -1 when the outbox is empty.
   */
  async settleCallbacks(
    redis: RedisClient,
    pendingKey: string,
    dueKey: string,
    settle: {
      acks: string[];
      reschedules: Reschedule[];
      retries: Array<{ id: string; json: string; dueMs: number }>;
    },
  ): Promise<number> {
    const { acks, reschedules, retries } = settle;
    const args: RedisValue[] = [acks.length, ...acks, reschedules.length];
    // The claimed json goes as its SHA1 from the claim (what the script compares): 40 bytes, not the row again.
    for (const r of reschedules) args.push(r.id, r.sha, r.dueMs);
    for (const r of retries) args.push(r.id, r.json, r.dueMs);
    return asNumber(await run(redis, 'callback-settle-2', [pendingKey, dueKey], args));
  },
  /** Extends the lease of claimed callbacks to `dueMs` (those still claimed); returns how many. */
  async extendCallbackLease(redis: RedisClient, dueKey: string, ids: string[], dueMs: number): Promise<number> {
    return asNumber(await run(redis, 'callback-extend-1', [dueKey], [dueMs, ...ids]));
  },
};
