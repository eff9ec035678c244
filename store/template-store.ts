import { z } from 'zod';
import type { RedisClient } from '../redis/connect';
import type { RedisKeys } from '../redis/keys';

/** A template button's kind as the definition spells it (waba-wire.md §1.1); unknown kinds are kept as they come. */
export type TemplateButtonKind = 'QUICK_REPLY' | 'URL' | 'PHONE_NUMBER' | 'COPY_CODE' | 'OTP' | (string & {});

/** One of a line's message templates, reduced to what sending it needs (provider-neutral). */
export const messageTemplateSchema = z.object({
  id: z.string(),
  name: z.string(),
  language: z.string(),
  /** APPROVED, PAUSED, REJECTED, PENDING, DISABLED…: only APPROVED is sendable. */
  status: z.string(),
  category: z.string(),
  /** POSITIONAL ({{1}}…) or NAMED ({{order_id}}). */
  parameterFormat: z.enum(['POSITIONAL', 'NAMED']),
  /** NONE, TEXT, IMAGE, VIDEO, DOCUMENT, LOCATION. */
  headerFormat: z.string(),
  /** Variables of a text header (0 or 1), with their names when named. */
  headerParams: z.array(z.string()),
  /** Variables of the body in order: "1", "2"… or their names. */
  bodyParams: z.array(z.string()),
  /** Buttons in order; `param`: the button takes a value (a URL suffix, a coupon code). */
  buttons: z.array(z.object({ kind: z.string(), text: z.string(), param: z.boolean() })),
});
export type MessageTemplate = z.infer<typeof messageTemplateSchema>;

/** A cached list is kept this long at most; template webhooks and `templates list --refresh` renew it sooner. */
const KEEP_SEC = 7 * 86400;

const cachedSchema = z.object({
  at: z.number(),
  templates: z.array(messageTemplateSchema),
  /** The account it was read from (lines/line-account.ts); absent in lists cached before it was recorded. */
  account: z.string().optional(),
});
/** A line's templates as last read from the provider, with when (ms). */
export type CachedTemplates = z.infer<typeof cachedSchema>;

/** Each line's message templates, cached in Redis (one JSON string per line). */
export class TemplateStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: Pick<RedisKeys, 'lineTemplates' | 'lineTemplatesReading' | 'lineTemplatesFailedAt'>,
  ) {}

  /** Claims reading the line's list (other processes keep the cached one meanwhile); the claim lapses on its own. */
  async claimRead(memberId: string, lineId: string, holdMs: number): Promise<boolean> {
    const key = this.keys.lineTemplatesReading(memberId, lineId);
    return (await this.redis.set(key, '1', 'PX', holdMs, 'NX')) === 'OK';
  }

  async releaseRead(memberId: string, lineId: string): Promise<void> {
    await this.redis.del(this.keys.lineTemplatesReading(memberId, lineId));
  }

  /** When reading the list last failed (clock ms), or null. */
  async failedAt(memberId: string, lineId: string): Promise<number | null> {
    const raw = await this.redis.get(this.keys.lineTemplatesFailedAt(memberId, lineId));
    return raw === null ? null : Number(raw);
  }

  async noteFailed(memberId: string, lineId: string, at: number): Promise<void> {
    await this.redis.set(this.keys.lineTemplatesFailedAt(memberId, lineId), String(at), 'EX', 86400);
  }

  async get(memberId: string, lineId: string): Promise<CachedTemplates | null> {
    const raw = await this.redis.get(this.keys.lineTemplates(memberId, lineId));
    if (raw === null) return null;
    const parsed = cachedSchema.safeParse(JSON.parse(raw));
    // A cache written by another release in another shape is read again from the provider.
    return parsed.success ? parsed.data : null;
  }

  async put(
    memberId: string,
    lineId: string,
    templates: MessageTemplate[],
    at: number,
    account?: string,
  ): Promise<void> {
    const value: CachedTemplates = { at, templates, account };
    await this.redis.set(this.keys.lineTemplates(memberId, lineId), JSON.stringify(value), 'EX', KEEP_SEC);
  }

  /** Forgets the line's list and its last failed read (the line now stands for another account, or is gone). */
  async drop(memberId: string, lineId: string): Promise<void> {
    // One portal's keys: one hash slot.
    await this.redis.del(this.keys.lineTemplates(memberId, lineId), this.keys.lineTemplatesFailedAt(memberId, lineId));
  }
}
