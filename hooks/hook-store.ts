import type { Dispatcher } from 'undici';
import { z } from 'zod';
import type { AddressPolicy } from '../lib/address-policy';
import { AppError } from '../lib/errors/app-error';
import { randomId, randomSecret } from '../lib/hash';
import type { SecretBox } from '../lib/secret-box';
import type { RedisClient } from '../redis/connect';
import type { RedisKeys } from '../redis/keys';
import { type EventType, eventTypeSchema } from './event-schemas';

/** How many delivery log entries a subscription keeps (newest first). */
export const DELIVERY_LOG_LENGTH = 100;

/** A portal's subscription to outbound events; the secret is sealed at rest. */
export const subscriptionSchema = z.object({
  id: z.string().regex(/^h_[A-Za-z0-9_-]+$/),
  memberId: z.string().min(1),
  url: z.url({ protocol: /^https?$/ }),
  /** Empty: every event type. */
  events: z.array(eventTypeSchema),
  secret: z.string().min(1),
  createdAt: z.number(),
});
export type Subscription = z.infer<typeof subscriptionSchema>;

/** One line of a subscription's delivery log. */
export const deliveryLogEntrySchema = z.object({
  eventId: z.string(),
  type: z.string(),
  /** delivered; retry (another try is due at nextAt); failed (given up after the retry budget). */
  outcome: z.enum(['delivered', 'retry', 'failed']),
  /** The receiver's HTTP status, 0 when none came (time-out, refused address, connection error). */
  httpStatus: z.number().int(),
  error: z.string(),
  attempt: z.number().int(),
  at: z.number(),
  durationMs: z.number(),
  nextAt: z.number(),
});
export type DeliveryLogEntry = z.infer<typeof deliveryLogEntrySchema>;

/** A subscription's delivery progress. */
export interface DeliveryState {
  /** The last stream entry done with ('0-0' = none yet). */
  cursor: string;
  /** Failed tries of the event after the cursor. */
  attempts: number;
  /** When that event may be tried again (0 = at once). */
  nextAt: number;
}

export interface HookStoreDeps {
  redis: RedisClient;
  keys: RedisKeys;
  box: SecretBox;
  addresses: AddressPolicy;
  /** ALLOW_PRIVATE_ADDRESSES: plain http is accepted only for local testing. */
  allowPrivate: boolean;
}

/** Subscriptions per portal, their delivery state and log. */
export class HookStore {
  constructor(private readonly deps: HookStoreDeps) {}

  /** The pool deliveries go through: it applies the address policy again when connecting. */
  get dispatcher(): Dispatcher | undefined {
    return this.deps.addresses.dispatcher;
  }

  /** Why `url` may not receive events, or undefined (checked when added and before every delivery). */
  async urlRefusal(url: string): Promise<string | undefined> {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      return 'not a URL';
    }
    if (parsed.protocol !== 'https:' && !(parsed.protocol === 'http:' && this.deps.allowPrivate))
      return 'the URL must be https';
    return this.deps.addresses.refusal(url);
  }

  /** Adds a subscription; without a secret one is generated. The plain secret is returned once. */
  async add(input: {
    memberId: string;
    url: string;
    events: EventType[];
    secret?: string;
    now: number;
  }): Promise<{ subscription: Subscription; secret: string }> {
    const refusal = await this.urlRefusal(input.url);
    if (refusal) throw new AppError('url_refused', `${input.url}: ${refusal}`, { kind: 'bad_input' });
    const secret = input.secret ?? randomSecret(32);
    if (secret.length < 16)
      throw new AppError('secret_too_short', 'the secret needs at least 16 characters', { kind: 'bad_input' });
    const subscription = subscriptionSchema.parse({
      id: `h_${randomId(9)}`,
      memberId: input.memberId,
      url: input.url,
      events: [...new Set(input.events)],
      secret,
      createdAt: input.now,
    });
    const { redis, keys } = this.deps;
    const m = input.memberId;
    // The subscription starts from now: events already in the stream are for the others.
    const [last] = await redis.xrevrange(keys.hookEvents(m), '+', '-', 'COUNT', 1);
    const sealed = { ...subscription, secret: this.deps.box.seal(secret) };
    // The global id → portal index lives in another cluster slot than the portal's keys: it goes
    // first (a listed id without a record reads as no subscription), the portal's keys in one MULTI.
    await redis.hset(keys.hookOwners(), subscription.id, m);
    await redis
      .multi()
      .hset(keys.hookState(m, subscription.id), 'cursor', last?.[0] ?? '0-0', 'attempts', 0, 'nextAt', 0)
      .hset(keys.hookSubscriptions(m), subscription.id, JSON.stringify(sealed))
      .exec();
    return { subscription, secret };
  }

  /** The subscription (secret opened), or null. */
  async get(subscriptionId: string): Promise<Subscription | null> {
    const { redis, keys } = this.deps;
    const memberId = await redis.hget(keys.hookOwners(), subscriptionId);
    if (!memberId) return null;
    const raw = await redis.hget(keys.hookSubscriptions(memberId), subscriptionId);
    return raw ? this.open(raw) : null;
  }

  /** A portal's subscriptions, oldest first. */
  async list(memberId: string): Promise<Subscription[]> {
    const all = await this.deps.redis.hvals(this.deps.keys.hookSubscriptions(memberId));
    return all.map((raw) => this.open(raw)).sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id));
  }

  /** Portals with at least one subscription. */
  async portals(): Promise<string[]> {
    return [...new Set(await this.deps.redis.hvals(this.deps.keys.hookOwners()))].sort();
  }

  /** Removes a subscription: its deliveries stop at once (a delivery in flight records nothing). */
  async remove(subscriptionId: string): Promise<boolean> {
    const { redis, keys } = this.deps;
    const memberId = await redis.hget(keys.hookOwners(), subscriptionId);
    if (!memberId) return false;
    await redis
      .multi()
      .hdel(keys.hookSubscriptions(memberId), subscriptionId)
      .del(keys.hookState(memberId, subscriptionId), keys.hookLease(memberId, subscriptionId))
      .del(keys.hookLog(memberId, subscriptionId))
      .exec();
    // The global index last (another cluster slot): an interrupted removal leaves an id that reads as gone.
    await redis.hdel(keys.hookOwners(), subscriptionId);
    // The last one gone: nobody reads the portal's events any more.
    if ((await redis.hlen(keys.hookSubscriptions(memberId))) === 0) await redis.del(keys.hookEvents(memberId));
    return true;
  }

  /** The subscription's delivery progress; null once it is removed. */
  async state(memberId: string, subscriptionId: string): Promise<DeliveryState | null> {
    const raw = await this.deps.redis.hgetall(this.deps.keys.hookState(memberId, subscriptionId));
    if (raw.cursor === undefined) return null;
    return { cursor: raw.cursor, attempts: Number(raw.attempts ?? 0), nextAt: Number(raw.nextAt ?? 0) };
  }

  /** The delivery log, newest first (at most DELIVERY_LOG_LENGTH). */
  async deliveries(memberId: string, subscriptionId: string): Promise<DeliveryLogEntry[]> {
    const raw = await this.deps.redis.lrange(this.deps.keys.hookLog(memberId, subscriptionId), 0, -1);
    return raw.map((line) => deliveryLogEntrySchema.parse(JSON.parse(line)));
  }

  private open(raw: string): Subscription {
    const sealed = subscriptionSchema.parse(JSON.parse(raw));
    return { ...sealed, secret: this.deps.box.open(sealed.secret) };
  }
}
