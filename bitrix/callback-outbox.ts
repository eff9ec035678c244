import type { Redis } from 'ioredis';
import { z } from 'zod';
import type { RedisKeys } from '../redis/keys';
import { scripts } from '../redis/scripts';
import { digest } from '../lib/hash';

/** One pending `bizproc.event.send`. */
export const callbackSchema = z.object({
  eventToken: z.string(),
  returnValues: z.record(z.string(), z.string()),
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

/** The per-portal callback outbox (write side). The dispatcher drains it in batches. */
export class CallbackOutbox {
  constructor(private readonly redis: Redis, private readonly keys: RedisKeys) {}

  /** Queues a callback; false when this event token already has one queued. */
  async enqueue(memberId: string, callback: Omit<Callback, 'attempts' | 'queuedAt'>, now = Date.now()): Promise<boolean> {
    const entry: Callback = { ...callback, attempts: 0, queuedAt: now };
    const queued = await scripts.enqueueCallback(this.redis, this.keys.callbackPending(memberId), this.keys.callbackDue(memberId), callbackId(callback.eventToken), JSON.stringify(entry), now);
    await this.markDue(memberId, now);
    return queued;
  }

  /** Puts the portal into the global index of portals with due callbacks. */
  async markDue(memberId: string, dueMs: number): Promise<void> {
    await this.redis.multi().zadd(this.keys.callbackPortals(), 'LT', dueMs, memberId).zadd(this.keys.callbackPortals(), 'NX', dueMs, memberId).exec();
  }

  async pendingCount(memberId: string): Promise<number> {
    return this.redis.hlen(this.keys.callbackPending(memberId));
  }
}
