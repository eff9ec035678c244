import { z } from 'zod';
import { type MessageTemplate, messageTemplateSchema } from '../providers/message-template';
import type { RedisClient } from '../redis/connect';
import type { RedisKeys } from '../redis/keys';

/** A cached list is kept this long at most; template webhooks and `templates list --refresh` renew it sooner. */
const KEEP_SEC = 7 * 86400;

const cachedSchema = z.object({ at: z.number(), templates: z.array(messageTemplateSchema) });
/** A line's templates as last read from the provider, with when (ms). */
export type CachedTemplates = z.infer<typeof cachedSchema>;

/** Each line's message templates, cached in Redis (one JSON string per line). */
export class TemplateStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: Pick<RedisKeys, 'lineTemplates'>,
  ) {}

  async get(memberId: string, lineId: string): Promise<CachedTemplates | null> {
    const raw = await this.redis.get(this.keys.lineTemplates(memberId, lineId));
    if (raw === null) return null;
    const parsed = cachedSchema.safeParse(JSON.parse(raw));
    // A cache written by another release in another shape is read again from the provider.
    return parsed.success ? parsed.data : null;
  }

  async put(memberId: string, lineId: string, templates: MessageTemplate[], at: number): Promise<void> {
    const value: CachedTemplates = { at, templates };
    await this.redis.set(this.keys.lineTemplates(memberId, lineId), JSON.stringify(value), 'EX', KEEP_SEC);
  }
}
