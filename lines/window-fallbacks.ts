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
  /** The call's `if_maybe_sent` for the template's own send. */
  ifMaybeSent: z.enum(['resend', 'skip']).optional(),
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

/** The reference of the fallback of a call's step (kept on the message record as `fb`). */
export const fallbackRefOf = (callKey: string, step: number) => `${callKey}:${step}`;

/**
 * Fallback templates by call and step, saved before the free-form message leaves (so a refusal
 * that beats the send's record still finds its owner); one small string each, with a TTL.
 */
export class WindowFallbacks {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: Pick<RedisKeys, 'windowFallback'>,
  ) {}

  async put(memberId: string, ref: string, fallback: WindowFallback): Promise<void> {
    await this.redis.set(this.keys.windowFallback(memberId, ref), JSON.stringify(fallback), 'EX', KEEP_SEC);
  }

  /** The message was delivered or read: WhatsApp will not refuse it for the window any more. */
  async drop(memberId: string, ref: string): Promise<void> {
    await this.redis.del(this.keys.windowFallback(memberId, ref));
  }

  async get(memberId: string, ref: string): Promise<WindowFallback | null> {
    const raw = await this.redis.get(this.keys.windowFallback(memberId, ref));
    return raw === null ? null : windowFallbackSchema.parse(JSON.parse(raw));
  }
}
