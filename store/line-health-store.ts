import { z } from 'zod';
import { parseStoredJson } from '../lib/stored-json';
import type { RedisClient } from '../redis/connect';
import type { RedisKeys } from '../redis/keys';

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
  connected: z.boolean().optional(),
  status: z.string().optional(),
  qualityRating: z.string().optional(),
  messagingLimit: z.string().optional(),
  throughput: z.string().optional(),
  checkedAt: z.number(),
  lastChange: healthChangeSchema.optional(),
});
export type LineHealth = z.infer<typeof lineHealthSchema>;

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

  async set(memberId: string, lineId: string, health: LineHealth): Promise<void> {
    await this.redis.hset(this.keys.lineHealth(memberId), lineId, JSON.stringify(lineHealthSchema.parse(health)));
  }

  /** Forgets the line's record (the line now stands for another account, or is gone). */
  async drop(memberId: string, lineId: string): Promise<void> {
    await this.redis.hdel(this.keys.lineHealth(memberId), lineId);
  }

  /** Routes the number's display digits to the line (a global key: another slot than the portal's). */
  async indexDisplayNumber(digits: string, memberId: string, lineId: string): Promise<void> {
    if (digits) await this.redis.set(this.keys.lineByDisplayNumber(digits), `${memberId}|${lineId}`);
  }

  async findByDisplayNumber(digits: string): Promise<{ memberId: string; lineId: string } | null> {
    const owner = digits ? await this.redis.get(this.keys.lineByDisplayNumber(digits)) : null;
    const [memberId, lineId] = owner?.split('|') ?? [];
    return memberId && lineId ? { memberId, lineId } : null;
  }

  private parse(json: string): LineHealth | null {
    return parseStoredJson(lineHealthSchema, json);
  }
}
