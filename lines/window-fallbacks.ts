import { z } from 'zod';
import type { RedisClient } from '../redis/connect';
import type { RedisKeys } from '../redis/keys';

/** Long enough for any late 131047 (Meta reports it within seconds to minutes). */
const KEEP_SEC = 2 * 86400;

const parameterSchema = z.union([
  z.object({ type: z.enum(['text', 'payload', 'coupon_code']), text: z.string(), name: z.string().optional() }),
  z.object({ type: z.enum(['image', 'video', 'document']), link: z.string() }),
  z.object({ type: z.enum(['image', 'video', 'document']), id: z.string() }),
]);

/** A template to send instead of a free-form message WhatsApp accepted and then refused (131047). */
export const windowFallbackSchema = z.object({
  /** The call it belongs to: its template goes as that call's own step, so at most once. */
  callKey: z.string(),
  to: z.string(),
  content: z.object({
    type: z.literal('template'),
    name: z.string(),
    language: z.string(),
    components: z.array(
      z.object({
        type: z.enum(['header', 'body', 'button']),
        subType: z.enum(['quick_reply', 'url', 'copy_code']).optional(),
        index: z.number().optional(),
        parameters: z.array(parameterSchema),
      }),
    ),
  }),
});
export type WindowFallback = z.infer<typeof windowFallbackSchema>;

/** Fallback templates by the id of the free-form message they stand in for (one small string each, with a TTL). */
export class WindowFallbacks {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: Pick<RedisKeys, 'windowFallback'>,
  ) {}

  async put(memberId: string, messageId: string, fallback: WindowFallback): Promise<void> {
    await this.redis.set(this.keys.windowFallback(memberId, messageId), JSON.stringify(fallback), 'EX', KEEP_SEC);
  }

  async get(memberId: string, messageId: string): Promise<WindowFallback | null> {
    const raw = await this.redis.get(this.keys.windowFallback(memberId, messageId));
    return raw === null ? null : windowFallbackSchema.parse(JSON.parse(raw));
  }
}
