import { z } from 'zod';
import { digest } from '../lib/hash';
import type { RedisClient } from '../redis/connect';
import type { RedisKeys } from '../redis/keys';

/** Kept as long as the message record itself (checkMessageStatus reads both). */
const TTL_S = 30 * 86400;

/** A send requested through the webhook API, by the message id the API answered with. */
export const apiMessageSchema = z.object({
  id: z.string(),
  memberId: z.string(),
  lineId: z.string(),
  method: z.string(),
  phone: z.string(),
  /** queued → sent | failed, written by the worker that ran the send. */
  state: z.enum(['queued', 'sent', 'failed']),
  createdAt: z.coerce.number(),
  settledAt: z.coerce.number().optional(),
  /** The provider's message id (wamid…) once sent. */
  providerMessageId: z.string().optional(),
  errorCode: z.string().optional(),
  /** The error in the portal's language, as the worker wrote it. */
  errorText: z.string().optional(),
  /** '1': the message may have left before a failure (delivery unknown). */
  maybeSent: z.enum(['0', '1']).optional(),
});
export type ApiMessage = z.infer<typeof apiMessageSchema>;

/** Sends requested through the webhook API: their result for `wait=Y`, checkMessageStatus and idempotency keys. */
export class ApiMessageStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
  ) {}

  /**
   * Records a new request, or — when `idempotencyKey` was used on this line before — returns the
   * first request's id instead (`created: false`), in one round trip per step.
   */
  async create(message: Omit<ApiMessage, 'state'>, idempotencyKey?: string): Promise<{ id: string; created: boolean }> {
    if (idempotencyKey !== undefined) {
      const idemKey = this.keys.apiIdempotency(message.memberId, message.lineId, digest(idempotencyKey));
      const taken = await this.redis.set(idemKey, message.id, 'EX', TTL_S, 'NX');
      if (taken !== 'OK') {
        const first = await this.redis.get(idemKey);
        if (first && (await this.redis.exists(this.keys.apiMessage(message.memberId, first))))
          return { id: first, created: false };
        // The first request claimed the key and stopped before its record was written: this one takes it over.
        await this.redis.set(idemKey, message.id, 'EX', TTL_S);
      }
    }
    const key = this.keys.apiMessage(message.memberId, message.id);
    const fields: Record<string, string> = { state: 'queued' };
    for (const [k, v] of Object.entries(message)) if (v !== undefined) fields[k] = String(v);
    await this.redis.multi().hset(key, fields).expire(key, TTL_S).exec();
    return { id: message.id, created: true };
  }

  /** Takes back a request that never reached the queue (and its idempotency key), so a retry can send it. */
  async forget(memberId: string, lineId: string, id: string, idempotencyKey?: string): Promise<void> {
    const keys = [this.keys.apiMessage(memberId, id)];
    if (idempotencyKey !== undefined) {
      // Only when the key names this request: it is written once (NX), so it cannot change between the read and the delete.
      const idemKey = this.keys.apiIdempotency(memberId, lineId, digest(idempotencyKey));
      if ((await this.redis.get(idemKey)) === id) keys.push(idemKey);
    }
    // Both keys carry the portal's hash tag: one DEL (one slot on a cluster).
    await this.redis.del(...keys);
  }

  async get(memberId: string, id: string): Promise<ApiMessage | null> {
    const raw = await this.redis.hgetall(this.keys.apiMessage(memberId, id));
    return raw.id ? apiMessageSchema.parse(raw) : null;
  }

  /** The worker's outcome of the send. */
  async settle(
    memberId: string,
    id: string,
    outcome: Pick<ApiMessage, 'state' | 'providerMessageId' | 'errorCode' | 'errorText' | 'maybeSent'> & {
      settledAt: number;
    },
  ): Promise<void> {
    const key = this.keys.apiMessage(memberId, id);
    const fields: Record<string, string> = {};
    for (const [k, v] of Object.entries(outcome)) if (v !== undefined && v !== '') fields[k] = String(v);
    if (!outcome.providerMessageId) {
      await this.redis.multi().hset(key, fields).expire(key, TTL_S).exec();
      return;
    }
    await this.redis
      .multi()
      .hset(key, fields)
      .expire(key, TTL_S)
      .set(this.keys.apiMessageByProviderId(memberId, outcome.providerMessageId), id, 'EX', TTL_S)
      .exec();
  }

  /** The API message sent as `providerMessageId`, if the API sent it. */
  async findByProviderId(memberId: string, providerMessageId: string): Promise<ApiMessage | null> {
    const id = await this.redis.get(this.keys.apiMessageByProviderId(memberId, providerMessageId));
    return id ? this.get(memberId, id) : null;
  }
}
