import { z } from 'zod';
import { AppError } from '../lib/errors/app-error';
import { digest } from '../lib/hash';
import type { RedisClient } from '../redis/connect';
import type { RedisKeys } from '../redis/keys';
import { scripts } from '../redis/scripts';

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

/**
 * An idempotency key used again for a different request (another method, recipient or content):
 * 422, naming the first request, which stays as it was (the same request again replays its answer).
 */
export class IdempotencyKeyReusedError extends AppError {
  /** Added to the catalogue's words in the answer: which key, which first request. */
  readonly detail: string;

  constructor(
    key: string,
    readonly messageId: string,
  ) {
    const detail = `idempotency_key "${key}" was first used for ${messageId}`;
    super('idempotency_key_reused', `${detail}, with other parameters`, { kind: 'unprocessable' });
    this.detail = detail;
  }
}

/** Sends requested through the webhook API: their result for `wait=Y`, checkMessageStatus and idempotency keys. */
export class ApiMessageStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
  ) {}

  /**
   * Records a new request, or — when `idempotency.key` was used on this line before — returns the
   * first request's id instead (`created: false`). The claim, the compare with the first request's
   * fingerprint and the record are one script: a key used for a different request is refused
   * (`IdempotencyKeyReusedError`) and the first request stays as it was.
   */
  async create(
    message: Omit<ApiMessage, 'state'>,
    idempotency?: { key: string; fingerprint: string },
  ): Promise<{ id: string; created: boolean }> {
    const key = this.keys.apiMessage(message.memberId, message.id);
    const fields: Record<string, string> = { state: 'queued' };
    for (const [k, v] of Object.entries(message)) if (v !== undefined) fields[k] = String(v);
    if (idempotency === undefined) {
      await this.redis.multi().hset(key, fields).expire(key, TTL_S).exec();
      return { id: message.id, created: true };
    }
    const idemKey = this.keys.apiIdempotency(message.memberId, message.lineId, digest(idempotency.key));
    const request = { id: message.id, fingerprint: idempotency.fingerprint, ttlSec: TTL_S, fields };
    const claim = (staleId: string) =>
      scripts.claimApiIdempotency(this.redis, idemKey, this.keys.apiMessage(message.memberId, message.id), {
        ...request,
        staleId,
      });
    let held = await claim('');
    // The first request claimed the key and its record is gone (a key from before the claim wrote both,
    // or a record expired first): this one takes it over, only from that holder.
    if (held.code === 0 && !(await this.redis.exists(this.keys.apiMessage(message.memberId, held.id))))
      held = await claim(held.id);
    if (held.code === -1) throw new IdempotencyKeyReusedError(idempotency.key, held.id);
    return { id: held.id, created: held.code === 1 };
  }

  /** Takes back a request that never reached the queue (and its idempotency key), so a retry can send it. */
  async forget(memberId: string, lineId: string, id: string, idempotencyKey?: string): Promise<void> {
    const keys = [this.keys.apiMessage(memberId, id)];
    if (idempotencyKey !== undefined) {
      // Only when the key names this request: only a holder whose record is gone is replaced, and this one's is here.
      const idemKey = this.keys.apiIdempotency(memberId, lineId, digest(idempotencyKey));
      // The key holds "<id> <fingerprint>" (or the id alone, written before fingerprints).
      if ((await this.redis.get(idemKey))?.split(' ')[0] === id) keys.push(idemKey);
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
