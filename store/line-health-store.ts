import { z } from 'zod';
import { parseStoredJson } from '../lib/stored-json';
import type { RedisClient } from '../redis/connect';
import type { RedisKeys } from '../redis/keys';
import { type HealthWrite, lineScripts } from '../redis/line-scripts';
import type { Line } from './line-schema';

/** A notable change of a line's health: a quality drop or rise, a new limit, a new status, an account event. */
export const healthChangeSchema = z.object({
  kind: z.enum(['quality_drop', 'quality_up', 'limit_change', 'status_change', 'account_event']),
  from: z.string(),
  to: z.string(),
  at: z.number(),
  /** What brought it to light: `read`, `schedule`, `webhook:<event>`, `check_status`… */
  reason: z.string(),
});
export type HealthChange = z.infer<typeof healthChangeSchema>;

/** A line's last known health (Cloud API: waba-wire.md §3.1) and its latest notable change. */
export const lineHealthSchema = z.object({
  /**
   * The number it was read from (healthAccount): a record of the number a line stood for before a
   * re-add is not the line's. Absent on an older release's record (taken as the line's).
   */
  account: z.string().optional(),
  connected: z.boolean().optional(),
  status: z.string().optional(),
  qualityRating: z.string().optional(),
  messagingLimit: z.string().optional(),
  throughput: z.string().optional(),
  checkedAt: z.number(),
  lastChange: healthChangeSchema.optional(),
});
export type LineHealth = z.infer<typeof lineHealthSchema>;

type NumberOf = Pick<Line, 'provider' | 'phoneNumberId'>;

/**
 * The number a health record (and a display-number route) is of: the provider's phone number id,
 * Green-API instance or GupShup app. Health is the number's, so a new WABA id alone keeps it
 * (lines/line-account.ts forgottenOnReadd).
 */
export function healthAccount(line: NumberOf): string {
  return `${line.provider}|${line.phoneNumberId}`;
}

/** The record when it is of `line`'s number now (or says none: an older release's), else null. */
export function healthOfLine(line: NumberOf, health: LineHealth | null | undefined): LineHealth | null {
  return health && (health.account ?? healthAccount(line)) === healthAccount(line) ? health : null;
}

/** Line health per portal (one hash), plus the global display-number → line route for quality webhooks. */
export class LineHealthStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
  ) {}

  async get(memberId: string, lineId: string): Promise<LineHealth | null> {
    const raw = await this.redis.hget(this.keys.lineHealth(memberId), lineId);
    return raw === null ? null : this.parse(raw);
  }

  /** Every line's health of a portal, by line id (unreadable records are skipped). */
  async all(memberId: string): Promise<Record<string, LineHealth>> {
    const raw = await this.redis.hgetall(this.keys.lineHealth(memberId));
    const out: Record<string, LineHealth> = {};
    for (const [lineId, json] of Object.entries(raw)) {
      const health = this.parse(json);
      if (health) out[lineId] = health;
    }
    return out;
  }

  /**
   * Stores the line's record, stamped with its number, only while the stored line still has that
   * number (one script: line-health-write-2.lua); nothing written when the line is gone or stands for
   * another number now (a read of the old number that ended after a re-add or a removal), or when the
   * stored line is unreadable. `unstamped`: kept without its number, as an older release's record
   * (an account event that came by an older release's route: lines/line-health.ts routeReaches).
   */
  async set(
    line: Pick<Line, 'memberId' | 'id'> & NumberOf,
    health: LineHealth,
    options: { unstamped?: boolean } = {},
  ): Promise<HealthWrite> {
    const account = options.unstamped ? undefined : healthAccount(line);
    const value = JSON.stringify(lineHealthSchema.parse({ ...health, account }));
    const keys = { lines: this.keys.lines(line.memberId), health: this.keys.lineHealth(line.memberId) };
    const record = { lineId: line.id, provider: line.provider, phoneNumberId: line.phoneNumberId, value };
    return lineScripts.writeHealth(this.redis, keys, record);
  }

  /** Forgets the line's record (the line now stands for another account, or is gone). */
  async drop(memberId: string, lineId: string): Promise<void> {
    await this.redis.hdel(this.keys.lineHealth(memberId), lineId);
  }

  /**
   * Routes the number's display digits to the line, stamped with the line's number (a global key:
   * another slot than the portal's); the route is the line's only while the line has that number.
   */
  async indexDisplayNumber(digits: string, line: Pick<Line, 'memberId' | 'id'> & NumberOf): Promise<void> {
    if (digits)
      await this.redis.set(this.keys.lineByDisplayNumber(digits), `${line.memberId}|${line.id}|${healthAccount(line)}`);
  }

  /**
   * The line a display number routes to, with the number it was routed for (none: an older release's
   * route). Split on `|`: member and line ids hold none, and the rest re-joins `provider|phoneNumberId`.
   */
  async findByDisplayNumber(digits: string): Promise<{ memberId: string; lineId: string; account?: string } | null> {
    const owner = digits ? await this.redis.get(this.keys.lineByDisplayNumber(digits)) : null;
    const [memberId, lineId, ...account] = owner?.split('|') ?? [];
    if (!memberId || !lineId) return null;
    return account.length ? { memberId, lineId, account: account.join('|') } : { memberId, lineId };
  }

  private parse(json: string): LineHealth | null {
    return parseStoredJson(lineHealthSchema, json);
  }
}
