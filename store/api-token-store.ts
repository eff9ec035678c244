import { createHmac } from 'node:crypto';
import { z } from 'zod';
import { randomId, randomSecret } from '../lib/hash';
import type { RedisClient } from '../redis/connect';
import type { RedisKeys } from '../redis/keys';

/** Default request limits of a token (seed 003: 5 requests per 3 s, checkPhone 3 per second). */
export const DEFAULT_API_LIMITS = { perWindow: 5, windowMs: 3000, checkPhonePerSec: 3 } as const;

export const apiLimitsSchema = z.object({
  perWindow: z.coerce.number().int().positive(),
  windowMs: z.coerce.number().int().positive(),
  checkPhonePerSec: z.coerce.number().int().positive(),
});
export type ApiLimits = z.infer<typeof apiLimitsSchema>;

/** A webhook-API token as stored: the token itself never, only its HMAC under the server key. */
const storedTokenSchema = z.object({
  id: z.string(),
  memberId: z.string(),
  lineId: z.string(),
  name: z.string().default(''),
  hash: z.string(),
  createdAt: z.coerce.number(),
  lastUsedAt: z.coerce.number().optional(),
  perWindow: z.coerce.number().int().positive().default(DEFAULT_API_LIMITS.perWindow),
  windowMs: z.coerce.number().int().positive().default(DEFAULT_API_LIMITS.windowMs),
  checkPhonePerSec: z.coerce.number().int().positive().default(DEFAULT_API_LIMITS.checkPhonePerSec),
});
type StoredToken = z.infer<typeof storedTokenSchema>;

/** What the CLI and the API see of a token (never its hash). */
export type ApiToken = Omit<StoredToken, 'hash'>;

/** A token's secret part: 24 random bytes (192 bits), url-safe. */
const SECRET_BYTES = 24;
/** Tokens look like `wa1_<id>_<secret>`; only the HMAC of the whole string is kept. */
const TOKEN_RE = /^wa1_[A-Za-z0-9-]{8,32}_[A-Za-z0-9_-]{32}$/;

/** Webhook-API tokens per portal and line. */
export class ApiTokenStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
    private readonly hmacKey: Buffer,
  ) {}

  private hashOf(token: string): string {
    return createHmac('sha256', this.hmacKey).update(token).digest('base64url');
  }

  private newToken(id: string): string {
    return `wa1_${id}_${randomSecret(SECRET_BYTES)}`;
  }

  /** Creates a token; the returned `token` is the only time it exists in clear. */
  async create(input: {
    memberId: string;
    lineId: string;
    name?: string;
    limits?: Partial<ApiLimits>;
    now: number;
  }): Promise<{ token: string; record: ApiToken }> {
    const id = randomId(9).replace(/_/g, '-');
    const token = this.newToken(id);
    const record: StoredToken = storedTokenSchema.parse({
      id,
      memberId: input.memberId,
      lineId: input.lineId,
      name: input.name ?? '',
      hash: this.hashOf(token),
      createdAt: input.now,
      ...DEFAULT_API_LIMITS,
      ...input.limits,
    });
    const fields = Object.fromEntries(Object.entries(record).map(([k, v]) => [k, String(v)]));
    // The portal's keys (one slot) first, the global lookups after (other cluster slots): the token
    // answers only once its hash → token route exists, and that goes last.
    await this.redis
      .multi()
      .hset(this.keys.apiToken(input.memberId, id), fields)
      .sadd(this.keys.apiTokens(input.memberId), id)
      .exec();
    await this.redis.set(this.keys.apiTokenOwner(id), input.memberId);
    await this.redis.set(this.keys.apiTokenByHash(record.hash), `${input.memberId}|${id}`);
    return { token, record: publicPart(record) };
  }

  /** The token a request presents, or null (unknown, revoked, regenerated away, malformed: all alike). */
  async findByToken(token: string): Promise<ApiToken | null> {
    if (!TOKEN_RE.test(token)) return null;
    const hash = this.hashOf(token);
    const owner = await this.redis.get(this.keys.apiTokenByHash(hash));
    if (!owner) return null;
    const [memberId = '', id = ''] = owner.split('|');
    const stored = await this.read(memberId, id);
    // The index and the record agree, or the token was replaced between the two reads.
    return stored && stored.hash === hash ? publicPart(stored) : null;
  }

  async get(tokenId: string): Promise<ApiToken | null> {
    const memberId = await this.redis.get(this.keys.apiTokenOwner(tokenId));
    const stored = memberId ? await this.read(memberId, tokenId) : null;
    return stored ? publicPart(stored) : null;
  }

  async list(memberId: string): Promise<ApiToken[]> {
    const ids = await this.redis.smembers(this.keys.apiTokens(memberId));
    const found = await Promise.all(ids.map((id) => this.read(memberId, id)));
    return found
      .filter((t): t is StoredToken => t !== null)
      .map(publicPart)
      .sort((a, b) => a.createdAt - b.createdAt);
  }

  /** Records a use (one field write per request). */
  async touch(token: ApiToken, now: number): Promise<void> {
    await this.redis.hset(this.keys.apiToken(token.memberId, token.id), 'lastUsedAt', String(now));
  }

  /** Revokes at once: the hash index goes in the same transaction as the record. */
  async revoke(tokenId: string): Promise<boolean> {
    const memberId = await this.redis.get(this.keys.apiTokenOwner(tokenId));
    const stored = memberId ? await this.read(memberId, tokenId) : null;
    if (!memberId || !stored) return false;
    // The route first: the token stops answering at once; then the portal's keys, the owner last.
    await this.redis.del(this.keys.apiTokenByHash(stored.hash));
    await this.redis
      .multi()
      .del(this.keys.apiToken(memberId, tokenId))
      .srem(this.keys.apiTokens(memberId), tokenId)
      .exec();
    await this.redis.del(this.keys.apiTokenOwner(tokenId));
    return true;
  }

  /** A new secret for the same token id, name, line and limits; the old token stops working at once. */
  async regenerate(tokenId: string): Promise<{ token: string; record: ApiToken } | null> {
    const memberId = await this.redis.get(this.keys.apiTokenOwner(tokenId));
    const stored = memberId ? await this.read(memberId, tokenId) : null;
    if (!memberId || !stored) return null;
    const token = this.newToken(tokenId);
    const hash = this.hashOf(token);
    // Old route first (the old token stops at once), the new one last (other cluster slots, no MULTI).
    await this.redis.del(this.keys.apiTokenByHash(stored.hash));
    await this.redis.hset(this.keys.apiToken(memberId, tokenId), 'hash', hash);
    await this.redis.set(this.keys.apiTokenByHash(hash), `${memberId}|${tokenId}`);
    return { token, record: publicPart({ ...stored, hash }) };
  }

  /** Every token of a portal goes with it (uninstall). */
  async removeAll(memberId: string): Promise<void> {
    for (const token of await this.list(memberId)) await this.revoke(token.id);
  }

  private async read(memberId: string, tokenId: string): Promise<StoredToken | null> {
    const raw = await this.redis.hgetall(this.keys.apiToken(memberId, tokenId));
    return raw.id ? storedTokenSchema.parse(raw) : null;
  }
}

function publicPart(stored: StoredToken): ApiToken {
  const { hash, ...rest } = stored;
  void hash;
  return rest;
}
