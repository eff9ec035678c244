import type { Redis } from 'ioredis';
import { z } from 'zod';
import type { SecretBox } from '../lib/secret-box';
import type { RedisKeys } from '../redis/keys';

export const providerKindSchema = z.enum(['cloud', 'green-api']);

/**
 * A WhatsApp line: one business number of one portal. The access token (and webhook token) are
 * sealed at rest. For Green-API lines `phoneNumberId` holds the idInstance and `accessToken` the
 * apiTokenInstance.
 */
export const lineSchema = z.object({
  id: z.string().regex(/^[A-Za-z0-9_-]+$/),
  memberId: z.string(),
  provider: providerKindSchema,
  phoneNumberId: z.string().min(1),
  accessToken: z.string().min(1),
  /** Green-API: the instance's API host (its console shows it), e.g. https://1103.api.green-api.com. */
  apiUrl: z.url({ protocol: /^https?$/ }).optional(),
  /** Green-API: the instance's webhookUrlToken, checked on inbound webhooks. */
  webhookToken: z.string().min(1).optional(),
  name: z.string(),
  ratePerSec: z.number().int().positive().optional(),
  createdAt: z.number(),
});

export type Line = z.infer<typeof lineSchema>;

/** Lines per portal, plus a global phone_number_id → line index for webhooks. */
export class LineStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly box: SecretBox,
  ) {}

  async add(line: Line): Promise<void> {
    const owner = await this.redis.get(this.keys.lineByNumber(line.phoneNumberId));
    if (owner && owner !== `${line.memberId}|${line.id}`) {
      throw new Error(`phone number id ${line.phoneNumberId} is already connected as line ${owner.split('|')[1]}`);
    }
    const parsed = lineSchema.parse(line);
    const sealed = {
      ...parsed,
      accessToken: this.box.seal(parsed.accessToken),
      webhookToken: parsed.webhookToken === undefined ? undefined : this.box.seal(parsed.webhookToken),
    };
    await this.redis
      .multi()
      .hset(this.keys.lines(line.memberId), line.id, JSON.stringify(sealed))
      .set(this.keys.lineByNumber(line.phoneNumberId), `${line.memberId}|${line.id}`)
      .exec();
  }

  async get(memberId: string, lineId: string): Promise<Line | null> {
    const raw = await this.redis.hget(this.keys.lines(memberId), lineId);
    return raw ? this.open(raw) : null;
  }

  /** Lines of a portal, oldest first: the first one is the default. */
  async list(memberId: string): Promise<Line[]> {
    const all = await this.redis.hvals(this.keys.lines(memberId));
    return all.map((raw) => this.open(raw)).sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id));
  }

  async findByPhoneNumberId(phoneNumberId: string): Promise<Line | null> {
    const owner = await this.redis.get(this.keys.lineByNumber(phoneNumberId));
    if (!owner) return null;
    const [memberId, lineId] = owner.split('|');
    return memberId && lineId ? this.get(memberId, lineId) : null;
  }

  async remove(memberId: string, lineId: string): Promise<boolean> {
    const line = await this.get(memberId, lineId);
    if (!line) return false;
    await this.redis
      .multi()
      .hdel(this.keys.lines(memberId), lineId)
      .del(this.keys.lineByNumber(line.phoneNumberId))
      .exec();
    return true;
  }

  /** Notes that a webhook for the line arrived (one field write; checkStatus shows it). */
  async markWebhook(memberId: string, lineId: string, at: number): Promise<void> {
    await this.redis.hset(this.keys.lineWebhookAt(memberId), lineId, String(at));
  }

  /** When the line's last webhook arrived (ms), if one has. */
  async lastWebhookAt(memberId: string, lineId: string): Promise<number | undefined> {
    const at = await this.redis.hget(this.keys.lineWebhookAt(memberId), lineId);
    return at === null ? undefined : Number(at);
  }

  async removeAll(memberId: string): Promise<void> {
    for (const line of await this.list(memberId)) await this.remove(memberId, line.id);
  }

  private open(raw: string): Line {
    const sealed = lineSchema.parse(JSON.parse(raw));
    return {
      ...sealed,
      accessToken: this.box.open(sealed.accessToken),
      webhookToken: sealed.webhookToken === undefined ? undefined : this.box.open(sealed.webhookToken),
    };
  }
}
