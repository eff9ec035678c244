import type { Redis } from 'ioredis';
import { z } from 'zod';
import type { RedisKeys } from '../redis/keys';
import { scripts } from '../redis/scripts';

const TTL_S = 30 * 86400;

export const deliveryStatusSchema = z.enum(['sent', 'delivered', 'read', 'failed']);
export type DeliveryStatus = z.infer<typeof deliveryStatusSchema>;

/** A sent message as stored for status tracking and correlation. */
export const storedMessageSchema = z.object({
  memberId: z.string(),
  lineId: z.string().default(''),
  phone: z.string().default(''),
  /** The customer's WhatsApp id, when the provider reported one. */
  waId: z.string().optional(),
  providerMessageId: z.string(),
  callKey: z.string().default(''),
  workflowId: z.string().default(''),
  status: deliveryStatusSchema,
  sentAt: z.coerce.number().default(0),
  deliveredAt: z.coerce.number().optional(),
  readAt: z.coerce.number().optional(),
  failedAt: z.coerce.number().optional(),
  errorCode: z.string().optional(),
  waitId: z.string().optional(),
  /** '1' when the robot asked to show this message in the open-line chat. */
  showInChat: z.enum(['0', '1']).optional(),
});
export type StoredMessage = z.infer<typeof storedMessageSchema>;

/** Sent messages per portal: status history as timestamps, kept 30 days. */
export class MessageStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
  ) {}

  /** Records a sent message; a status that raced ahead of this (webhook first) is kept. */
  async recordSent(message: Omit<StoredMessage, 'status'>): Promise<void> {
    const key = this.keys.message(message.memberId, message.providerMessageId);
    const fields: Record<string, string> = {};
    for (const [k, v] of Object.entries(message)) if (v !== undefined) fields[k] = String(v);
    await this.redis.multi().hset(key, fields).hsetnx(key, 'status', 'sent').expire(key, TTL_S).exec();
  }

  async get(memberId: string, providerMessageId: string): Promise<StoredMessage | null> {
    const raw = await this.redis.hgetall(this.keys.message(memberId, providerMessageId));
    if (!raw.providerMessageId) return null;
    return storedMessageSchema.parse(raw);
  }

  /** Applies a status webhook atomically: statuses arrive out of order, so a later one never goes back. */
  async applyStatus(
    memberId: string,
    providerMessageId: string,
    status: DeliveryStatus,
    at: number,
    errorCode?: string,
  ): Promise<StoredMessage | null> {
    await scripts.applyMessageStatus(this.redis, this.keys.message(memberId, providerMessageId), {
      status,
      at,
      errorCode: errorCode ?? '',
      memberId,
      providerMessageId,
      ttlSec: TTL_S,
    });
    return this.get(memberId, providerMessageId);
  }

  /** Provider message id already sent for this call's step, if any (retries never resend). */
  async sentStep(memberId: string, callKey: string, step: number | string): Promise<string | null> {
    return this.redis.hget(this.keys.sentStep(memberId, callKey), String(step));
  }

  async rememberStep(
    memberId: string,
    callKey: string,
    step: number | string,
    providerMessageId: string,
  ): Promise<void> {
    const key = this.keys.sentStep(memberId, callKey);
    await this.redis
      .multi()
      .hset(key, String(step), providerMessageId)
      .expire(key, 7 * 86400)
      .exec();
  }
}
