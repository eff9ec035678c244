import { z } from 'zod';
import { digest, randomId, safeEqual } from '../lib/hash';
import { type Lang, langOf } from '../lib/i18n/catalogue';
import type { SecretBox } from '../lib/secret-box';
import type { RedisClient } from '../redis/connect';
import type { RedisKeys } from '../redis/keys';
import { scripts } from '../redis/scripts';
import { ConfigCache, newConfigVersion } from './config-cache';

/** A portal as stored: tokens sealed at rest, everything else plain. */
const storedPortalSchema = z.object({
  memberId: z.string(),
  domain: z.string(),
  clientEndpoint: z.string(),
  serverEndpoint: z.string(),
  applicationToken: z.string(),
  /** SecretBox fingerprint of the application token: the doors compare it without decrypting. */
  applicationTokenHash: z.string().optional(),
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
  /** The portal's time zone for times people read: IANA name or `±HH:MM` (portal-ui-wire.md §6); none = UTC. */
  timeZone: z.string().max(64).optional(),
  /** Since when (ms) the portal refuses even fresh tokens: only a reinstall helps. */
  needsReinstall: z.number().optional(),
});

export type Portal = z.infer<typeof storedPortalSchema>;
export type PortalTokens = Pick<
  Portal,
  'accessToken' | 'refreshToken' | 'expiresAt' | 'clientEndpoint' | 'serverEndpoint'
>;

/** The catalogue language for this portal (Russian for ru/by/kz portals, English when no catalogue fits). */
export function portalLanguage(portal: Pick<Portal, 'languageId'>): Lang {
  return langOf(portal.languageId);
}

/** The portal's time zone for times people read ('' = UTC until registration has read it). */
export function portalTimeZone(portal: Pick<Portal, 'timeZone'>): string {
  return portal.timeZone ?? '';
}

const sealedFields = ['applicationToken', 'accessToken', 'refreshToken'] as const;

/** MGET of a portal's record and its config version. */
const recordReplySchema = z.tuple([z.string().nullable(), z.string().nullable()]);

/**
 * The record and its config version from their MGET's reply. A reply of another shape is an error,
 * never read as "no record" (that would answer "not installed").
 */
export function portalRecordOfReply(reply: unknown): { raw: string | null; readUnder: string | null } {
  const parsed = recordReplySchema.safeParse(reply);
  if (!parsed.success) throw new Error(`portal record read: unexpected reply ${JSON.stringify(reply)}`);
  const [raw, readUnder] = parsed.data;
  return { raw, readUnder };
}

/** Portals (installations) in Redis; decrypted copies are kept in process while the portal's config version holds. */
export class PortalStore {
  private readonly cache: ConfigCache;

  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
    private readonly box: SecretBox,
    cache?: ConfigCache,
  ) {
    this.cache = cache ?? new ConfigCache(redis, keys);
  }

  /**
   * The portal's config version (one GET, shared by the reads of the portal asked for in the same
   * tick: ConfigCache.version), for a caller that reads several of its records in one job: each read
   * given it skips its own GET and is as fresh as a read made when it was taken. Await it before
   * those reads, never beside them (its GET goes out on the next tick).
   */
  configVersion(memberId: string): Promise<string | null> {
    return this.cache.version(memberId);
  }

  /**
   * `version`: from `configVersion`, read by the caller earlier (default: read now). A record read
   * here (no copy under `version`) is as of now, possibly newer than `version`: it is kept under the
   * version read with it in the same step, never under the caller's, which may be older (a job's
   * start). So while a change propagates, callers holding the current version keep finding the
   * copy, but each one still holding the old version costs a read (fewer reads than before, not
   * none: bounded by the jobs in flight during the change).
   */
  async get(memberId: string, version?: string | null): Promise<Portal | null> {
    if (version === undefined) version = await this.cache.version(memberId);
    const slot = `portal:${memberId}`;
    const known = this.cache.lookup<Portal>(slot, version);
    // A copy: callers may spread or change what they get.
    if (known) return { ...known };
    const { raw, readUnder } = await this.readRecord(memberId);
    if (!raw) return null;
    const sealed = storedPortalSchema.parse(JSON.parse(raw));
    const open = { ...sealed };
    for (const field of sealedFields) open[field] = this.box.open(sealed[field]);
    this.cache.store(slot, readUnder, open);
    return { ...open };
  }

  /**
   * The stored record and the config version it is stored under: one MGET (one command, so one
   * snapshot; both keys carry the portal's hash tag, so one slot under Cluster).
   */
  private async readRecord(memberId: string): Promise<{ raw: string | null; readUnder: string | null }> {
    return portalRecordOfReply(await this.redis.mget(this.keys.portal(memberId), this.keys.configVersion(memberId)));
  }

  /**
   * Whether `applicationToken` is the portal's, compared with the stored fingerprint (timing-safe):
   * nothing is decrypted. A record stored before fingerprints existed gets one now (decrypted once).
   * A digest of the token that last matched is kept beside the fingerprint under the same config
   * version (not the token: a heap dump then holds nothing a caller could replay), so the portal's
   * next calls skip the keyed HMAC; a re-install (a new version) starts without it.
   */
  async authenticate(memberId: string, applicationToken: string): Promise<boolean> {
    const version = await this.cache.version(memberId);
    const slot = `auth:${memberId}`;
    let known = this.cache.lookup<{ hash: string; matched?: string }>(slot, version);
    if (known === undefined) {
      const raw = await this.redis.get(this.keys.portal(memberId));
      if (!raw) return false;
      const sealed = storedPortalSchema.parse(JSON.parse(raw));
      known = { hash: sealed.applicationTokenHash ?? (await this.addTokenHash(memberId, raw, sealed)) };
      this.cache.store(slot, version, known);
    }
    const seen = digest(applicationToken);
    if (known.matched !== undefined && safeEqual(known.matched, seen)) return true;
    const matches = safeEqual(known.hash, this.box.fingerprint(applicationToken));
    if (matches) known.matched = seen;
    return matches;
  }

  /** Stores the fingerprint of an older record's application token (unless the record changed meanwhile). */
  private async addTokenHash(memberId: string, raw: string, sealed: Portal): Promise<string> {
    const hash = this.box.fingerprint(this.box.open(sealed.applicationToken));
    const next = JSON.stringify({ ...sealed, applicationTokenHash: hash });
    // Lost to a concurrent write: that write stored its own fingerprint.
    await scripts.compareAndSet(
      this.redis,
      { record: this.keys.portal(memberId), version: this.keys.configVersion(memberId) },
      { read: raw, next, version: randomId() },
    );
    return hash;
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
    const sealed = { ...record, applicationTokenHash: this.box.fingerprint(record.applicationToken) };
    for (const field of sealedFields) sealed[field] = this.box.seal(record[field]);
    // The global index and the portal's record live in different cluster slots: the index first, so
    // that a stored portal is always listed (a listed one without a record is skipped); the record and
    // its config version share the portal's slot and go in one MULTI.
    await this.redis.sadd(this.keys.portalIndex(), portal.memberId);
    await this.redis
      .multi()
      .set(this.keys.portal(portal.memberId), JSON.stringify(sealed))
      .set(this.keys.configVersion(portal.memberId), newConfigVersion())
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
      const next = JSON.stringify({ ...sealed, needsReinstall: since });
      const keys = { record: key, version: this.keys.configVersion(memberId) };
      if (await scripts.compareAndSet(this.redis, keys, { read: raw, next, version: randomId() })) return 'changed';
    }
    throw new Error(`portal ${memberId}: the record kept changing while marking needs_reinstall`);
  }

  /**
   * Sets the portal's time zone in place (compare-and-set on the stored record): a registration job
   * must never write back a whole record read earlier, over tokens or settings changed meanwhile.
   */
  async setTimeZone(memberId: string, timeZone: string): Promise<'changed' | 'unchanged' | 'gone'> {
    const key = this.keys.portal(memberId);
    for (let attempt = 0; attempt < 10; attempt += 1) {
      const raw = await this.redis.get(key);
      if (!raw) return 'gone';
      const sealed = storedPortalSchema.parse(JSON.parse(raw));
      if (sealed.timeZone === timeZone) return 'unchanged';
      const next = JSON.stringify({ ...sealed, timeZone });
      const keys = { record: key, version: this.keys.configVersion(memberId) };
      if (await scripts.compareAndSet(this.redis, keys, { read: raw, next, version: randomId() })) return 'changed';
    }
    throw new Error(`portal ${memberId}: the record kept changing while setting its time zone`);
  }

  async list(): Promise<string[]> {
    return (await this.redis.smembers(this.keys.portalIndex())).sort();
  }

  /** Forgets the portal record; lines and waits are removed by their own stores. */
  async remove(memberId: string): Promise<void> {
    // Record (with its config version) first, index last (different cluster slots): an interrupted
    // removal leaves a listed portal without a record.
    await this.redis
      .multi()
      .del(this.keys.portal(memberId))
      .set(this.keys.configVersion(memberId), newConfigVersion())
      .exec();
    await this.redis.srem(this.keys.portalIndex(), memberId);
  }
}
