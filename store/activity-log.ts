import { z } from 'zod';
import { parseStoredJson } from '../lib/stored-json';
import type { RedisClient } from '../redis/connect';
import type { RedisKeys } from '../redis/keys';
import { scripts } from '../redis/scripts';

/**
 * How many of each a portal keeps: enough for the settings page, never a growing list. Sends are
 * kept compact and few: every send adds one (the open-wait footprint test counts it).
 */
const KEEP_SENDS = 30;
const KEEP_ERRORS = 100;
const TTL_S = 30 * 86400;

export const recentSendSchema = z.object({
  messageId: z.string().regex(/^\S+$/),
  lineId: z.string().regex(/^[A-Za-z0-9_-]*$/),
  phone: z.string().regex(/^\d*$/),
  at: z.number().int().nonnegative(),
});
export type RecentSend = z.infer<typeof recentSendSchema>;

/** A send's entry for the recent-sends list (keys.ts `recentSends`), pushed by the script that records the send (send-record-5.lua). */
export interface RecentSendNote {
  entry: string;
  keep: number;
  ttlSec: number;
}

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

  /**
   * A send's entry `<at> <line> <phone> <message id>` (none of them has a space): pushed by the
   * script that records the send (send-record-5.lua), so noting it costs no round trip of its own.
   */
  sentNote(sent: RecentSend): RecentSendNote {
    const s = recentSendSchema.parse(sent);
    const entry = [s.at, s.lineId, s.phone, s.messageId].join(' ');
    return { entry, keep: KEEP_SENDS, ttlSec: TTL_S };
  }

  async noteError(memberId: string, error: RecentError): Promise<void> {
    const entry = JSON.stringify(recentErrorSchema.parse(error));
    await scripts.pushRecent(this.redis, this.keys.recentErrors(memberId), entry, KEEP_ERRORS, TTL_S);
  }

  async recentSends(memberId: string, limit = KEEP_SENDS): Promise<RecentSend[]> {
    const raw = await this.redis.lrange(this.keys.recentSends(memberId), 0, limit - 1);
    return raw.flatMap((entry) => {
      const [at = '', lineId = '', phone = '', messageId = ''] = entry.split(' ');
      const parsed = recentSendSchema.safeParse({ at: Number(at), lineId, phone, messageId });
      return parsed.success && messageId ? [parsed.data] : [];
    });
  }

  async recentErrors(memberId: string, limit = KEEP_ERRORS): Promise<RecentError[]> {
    return this.read(this.keys.recentErrors(memberId), limit, recentErrorSchema);
  }

  private async read<T>(key: string, limit: number, schema: z.ZodType<T>): Promise<T[]> {
    const raw = await this.redis.lrange(key, 0, limit - 1);
    // An entry of another shape (an older release) is skipped, not a failed page.
    return raw.flatMap((entry) => {
      const parsed = parseStoredJson(schema, entry);
      return parsed === null ? [] : [parsed];
    });
  }
}
