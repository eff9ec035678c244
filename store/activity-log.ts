import { z } from 'zod';
import type { RedisClient } from '../redis/connect';
import type { RedisKeys } from '../redis/keys';

/** How many of each a portal keeps: enough for the settings page, never a growing list. */
const KEEP_SENDS = 200;
const KEEP_ERRORS = 100;
const TTL_S = 30 * 86400;

export const recentSendSchema = z.object({
  messageId: z.string(),
  lineId: z.string(),
  phone: z.string(),
  at: z.number(),
});
export type RecentSend = z.infer<typeof recentSendSchema>;

export const recentErrorSchema = z.object({
  code: z.string(),
  lineId: z.string().default(''),
  /** The action (robot/activity code, or the webhook API's method). */
  action: z.string().default(''),
  at: z.number(),
});
export type RecentError = z.infer<typeof recentErrorSchema>;

/** A portal's recent sends and failures (capped lists): what the settings page's activity shows. Uninstall's scan of the portal's keys removes them. */
export class ActivityLog {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: Pick<RedisKeys, 'recentSends' | 'recentErrors'>,
  ) {}

  async noteSent(memberId: string, sent: RecentSend): Promise<void> {
    await this.push(this.keys.recentSends(memberId), JSON.stringify(recentSendSchema.parse(sent)), KEEP_SENDS);
  }

  async noteError(memberId: string, error: RecentError): Promise<void> {
    await this.push(this.keys.recentErrors(memberId), JSON.stringify(recentErrorSchema.parse(error)), KEEP_ERRORS);
  }

  async recentSends(memberId: string, limit = KEEP_SENDS): Promise<RecentSend[]> {
    return this.read(this.keys.recentSends(memberId), limit, recentSendSchema);
  }

  async recentErrors(memberId: string, limit = KEEP_ERRORS): Promise<RecentError[]> {
    return this.read(this.keys.recentErrors(memberId), limit, recentErrorSchema);
  }

  private async push(key: string, entry: string, keep: number): Promise<void> {
    await this.redis
      .multi()
      .lpush(key, entry)
      .ltrim(key, 0, keep - 1)
      .expire(key, TTL_S)
      .exec();
  }

  private async read<T>(key: string, limit: number, schema: z.ZodType<T>): Promise<T[]> {
    const raw = await this.redis.lrange(key, 0, limit - 1);
    // An entry of another shape (an older release) is skipped, not a failed page.
    return raw.flatMap((entry) => {
      try {
        const parsed = schema.safeParse(JSON.parse(entry));
        return parsed.success ? [parsed.data] : [];
      } catch {
        return [];
      }
    });
  }
}
