import type { RedisClient } from './connect';
import { asNumber, run } from './scripts';

/**
 * How long a line slot stays counted while its send is in flight with no answer (then it lapses:
 * a crashed sender frees it). providers/provider-http.ts keeps every exchange below it.
 */
export const LINE_SLOT_IN_FLIGHT_MS = 30_000;

/** Typed wrappers of the rate and limit scripts (loaded with the others by scripts.ts). */
export const rateScripts = {
  /** 0 = slot taken, else ms to wait. The slot stays counted while the send is in flight. */
  async takeLineSlot(
    redis: RedisClient,
    key: string,
    limit: number,
    windowMs: number,
    slotId: string,
    inFlightMs = LINE_SLOT_IN_FLIGHT_MS,
  ): Promise<number> {
    return asNumber(await run(redis, 'line-rate-take-1', [key], [limit, windowMs, slotId, inFlightMs]));
  },
  /** The provider answered: the slot leaves the window `windowMs` from now. */
  async finishLineSlot(redis: RedisClient, key: string, slotId: string, windowMs: number): Promise<void> {
    await run(redis, 'line-rate-done-1', [key], [slotId, windowMs]);
  },
  /** Webhook-API request windows of one token: 0 = taken, else ms until one would be. */
  async takeApiRequest(
    redis: RedisClient,
    keys: { overall: string; method: string },
    limits: { overall: number; overallWindowMs: number; method: number; methodWindowMs: number },
    requestId: string,
  ): Promise<number> {
    const args = [limits.overall, limits.overallWindowMs, limits.method, limits.methodWindowMs, requestId];
    return asNumber(await run(redis, 'api-rate-take-2', [keys.overall, keys.method], args));
  },
  /** One request into a sliding window of the caller's clock: 0 = taken, else ms until one would be. */
  async takeWindowSlot(
    redis: RedisClient,
    key: string,
    window: { limit: number; windowMs: number },
    nowMs: number,
    requestId: string,
  ): Promise<number> {
    return asNumber(await run(redis, 'window-take-1', [key], [window.limit, window.windowMs, nowMs, requestId]));
  },
  /**
   * The settings page's sign-in window of one portal: 'known' when `keys.known` marks the client (not
   * counted), 'taken', else the ms until a request would be taken.
   */
  async takePortalSessionSlot(
    redis: RedisClient,
    keys: { known: string; window: string },
    window: { limit: number; windowMs: number },
    nowMs: number,
    requestId: string,
  ): Promise<'known' | 'taken' | number> {
    const args = [window.limit, window.windowMs, nowMs, requestId];
    const reply = asNumber(await run(redis, 'session-portal-take-2', [keys.known, keys.window], args));
    if (reply === -1) return 'known';
    return reply === 0 ? 'taken' : reply;
  },
  /** 0 = may call now, else ms to wait; `penalty` fills the bucket after QUERY_LIMIT_EXCEEDED. */
  async takeRestToken(
    redis: RedisClient,
    key: string,
    drainPerSec: number,
    capacity: number,
    penalty = false,
  ): Promise<number> {
    return asNumber(await run(redis, 'rest-bucket-take-1', [key], [drainPerSec, capacity, penalty ? '1' : '0']));
  },
};
