import type { Redis } from 'ioredis';
import { z } from 'zod';
import type { SecretBox } from '../lib/secret-box';
import type { RedisKeys } from '../redis/keys';
import { scripts } from '../redis/scripts';

/** A portal as stored: tokens sealed at rest, everything else plain. */
const storedPortalSchema = z.object({
  memberId: z.string(),
  domain: z.string(),
  clientEndpoint: z.string(),
  serverEndpoint: z.string(),
  applicationToken: z.string(),
  accessToken: z.string(),
  refreshToken: z.string(),
  expiresAt: z.number(),
  scope: z.string(),
  userId: z.number(),
  languageId: z.string().default('en'),
  installedAt: z.number(),
  restDrainPerSec: z.number().positive().optional(),
  restBurst: z.number().int().positive().optional(),
  phoneRegion: z.string().length(2).optional(),
  /** Since when (ms) the portal refuses even fresh tokens: only a reinstall helps. */
  needsReinstall: z.number().optional(),
});

export type Portal = z.infer<typeof storedPortalSchema>;
export type PortalTokens = Pick<
  Portal,
  'accessToken' | 'refreshToken' | 'expiresAt' | 'clientEndpoint' | 'serverEndpoint'
>;

/** Bitrix24 language ids whose users read Russian (Belarus and Kazakhstan portals default to Russian). */
const RUSSIAN_READING = new Set(['ru', 'by', 'kz']);

/** The language texts for people use for this portal (Russian for ru/by/kz portals, else English). */
export function portalLanguage(portal: Pick<Portal, 'languageId'>): 'ru' | 'en' {
  return RUSSIAN_READING.has(portal.languageId.toLowerCase()) ? 'ru' : 'en';
}

const sealedFields = ['applicationToken', 'accessToken', 'refreshToken'] as const;

/** Portals (installations) in Redis. */
export class PortalStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly box: SecretBox,
  ) {}

  async get(memberId: string): Promise<Portal | null> {
    const raw = await this.redis.get(this.keys.portal(memberId));
    if (!raw) return null;
    const sealed = storedPortalSchema.parse(JSON.parse(raw));
    const open = { ...sealed };
    for (const field of sealedFields) open[field] = this.box.open(sealed[field]);
    return open;
  }

  /**
   * Stores the portal. Tokens other than the stored ones (a reinstall) clear `needsReinstall`: they
   * deserve a try. The refresher keeps it (`keepNeedsReinstall`): a refresh proves nothing until a call works.
   */
  async save(portal: Portal, options: { keepNeedsReinstall?: boolean } = {}): Promise<void> {
    let record = portal;
    if (portal.needsReinstall !== undefined && !options.keepNeedsReinstall) {
      const stored = await this.get(portal.memberId).catch(() => null);
      if (stored?.refreshToken !== portal.refreshToken) record = { ...portal, needsReinstall: undefined };
    }
    const sealed = { ...record };
    for (const field of sealedFields) sealed[field] = this.box.seal(record[field]);
    await this.redis
      .multi()
      .set(this.keys.portal(portal.memberId), JSON.stringify(sealed))
      .sadd(this.keys.portalIndex(), portal.memberId)
      .exec();
  }

  async updateTokens(memberId: string, tokens: PortalTokens): Promise<void> {
    const portal = await this.get(memberId);
    if (!portal) throw new Error(`portal ${memberId} is not installed`);
    await this.save({ ...portal, ...tokens });
  }

  async update(memberId: string, patch: Partial<Omit<Portal, 'memberId'>>): Promise<Portal> {
    const portal = await this.get(memberId);
    if (!portal) throw new Error(`portal ${memberId} is not installed`);
    const next = storedPortalSchema.parse({ ...portal, ...patch });
    await this.save(next);
    return next;
  }

  /**
   * Marks (`since` ms) or clears (undefined) `needsReinstall` without ever writing back tokens that
   * changed meanwhile. With `ifAccessToken`, only while the stored access token is still that one.
   */
  async setNeedsReinstall(
    memberId: string,
    since: number | undefined,
    ifAccessToken?: string,
  ): Promise<'changed' | 'unchanged' | 'tokens_changed' | 'gone'> {
    const key = this.keys.portal(memberId);
    for (let attempt = 0; attempt < 10; attempt += 1) {
      const raw = await this.redis.get(key);
      if (!raw) return 'gone';
      const sealed = storedPortalSchema.parse(JSON.parse(raw));
      if (ifAccessToken !== undefined && this.box.open(sealed.accessToken) !== ifAccessToken) return 'tokens_changed';
      if ((sealed.needsReinstall !== undefined) === (since !== undefined)) return 'unchanged';
      if (await scripts.compareAndSet(this.redis, key, raw, JSON.stringify({ ...sealed, needsReinstall: since })))
        return 'changed';
    }
    throw new Error(`portal ${memberId}: the record kept changing while marking needs_reinstall`);
  }

  async list(): Promise<string[]> {
    return (await this.redis.smembers(this.keys.portalIndex())).sort();
  }

  /** Forgets the portal record; lines and waits are removed by their own stores. */
  async remove(memberId: string): Promise<void> {
    await this.redis.multi().del(this.keys.portal(memberId)).srem(this.keys.portalIndex(), memberId).exec();
  }
}
