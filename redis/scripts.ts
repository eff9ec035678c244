import { createHash } from 'node:crypto';
import calculateSlot from 'cluster-key-slot';
import type { RedisClient } from './connect';
import { loaded, type ScriptName } from './script-files';

type RedisValue = string | number;

/** Each script's SHA1, the name Redis caches it under (EVALSHA). */
const shaOf = new Map([...loaded].map(([name, script]) => [name, createHash('sha1').update(script.lua).digest('hex')]));

function isNoScript(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith('NOSCRIPT');
}

/** The key's hash tag as Redis Cluster reads it (the first `{…}` with something inside), or null. */
function hashTagOf(key: string): string | null {
  const open = key.indexOf('{');
  if (open < 0) return null;
  const close = key.indexOf('}', open + 1);
  return close > open + 1 ? key.slice(open + 1, close) : null;
}

/**
 * True when every key carries the same hash tag (so one slot): a string compare per key, where
 * hashing each key (CRC16) on every script call was a visible share of the worker's CPU. The
 * first key's `{tag}` is looked for where each other key's first `{` is (no slice per key: a
 * script call has up to ten). Keys without a tag, or with different ones, are left to the full slot check.
 */
function sameHashTag(keys: string[]): boolean {
  const first = keys[0] ?? '';
  const tag = hashTagOf(first);
  if (tag === null) return false;
  const braced = `{${tag}}`;
  for (let i = 1; i < keys.length; i += 1) {
    const key = keys[i] ?? '';
    const open = key.indexOf('{');
    if (open < 0 || !key.startsWith(braced, open)) return false;
  }
  return true;
}

/** True when Redis Cluster would run these keys together (one slot): the check every script call makes. */
export function inOneSlot(keys: string[]): boolean {
  return keys.length < 2 || sameHashTag(keys) || calculateSlot.generateMulti(keys) >= 0;
}

/**
 * Runs a script by name: EVALSHA, and EVAL (which caches it) when this Redis does not know it yet
 * (a fresh server, a restart, a cluster node). Not ioredis' `defineCommand`: every pipeline (every
 * MULTI, and each of auto-pipelining's, which the app no longer uses) copies each defined command
 * onto itself, which with ~30 scripts was a visible share of the worker's CPU per sent message (issue 10).
 */
export async function run(redis: RedisClient, name: ScriptName, keys: string[], args: RedisValue[]): Promise<unknown> {
  const script = loaded.get(name);
  const sha = shaOf.get(name);
  if (!script || !sha) throw new Error(`unknown script ${name}`);
  if (keys.length !== script.numberOfKeys)
    throw new Error(`${name} takes ${script.numberOfKeys} keys, got ${keys.length}`);
  // A Redis Cluster refuses (CROSSSLOT) a script whose keys live in different slots; refuse it on
  // one Redis too, so every test run catches it.
  if (!inOneSlot(keys))
    throw new Error(`${name}: its keys must share one hash slot (one {hash tag}): ${keys.join(' ')}`);
  try {
    return await redis.evalsha(sha, keys.length, ...keys, ...args);
  } catch (error) {
    if (!isNoScript(error)) throw error;
    return redis.eval(script.lua, keys.length, ...keys, ...args);
  }
}

export function asNumber(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string') return Number(value);
  throw new Error(`script returned ${typeof value}, expected a number`);
}

/** Typed wrappers, one per script. */
export const scripts = {
  /** Writes a hash field's number when it is newer than the stored one (the newest stays whatever the order). */
  async writeFieldMax(redis: RedisClient, key: string, field: string, value: number): Promise<boolean> {
    if (!Number.isFinite(value)) throw new Error(`field-max-1: ${field} must be a finite number, got ${value}`);
    return asNumber(await run(redis, 'field-max-1', [key], [field, value])) === 1;
  },
  /** Replaces a hash field's value only while it is still `read` (false: changed or gone meanwhile). */
  async swapHashField(redis: RedisClient, key: string, field: string, read: string, next: string): Promise<boolean> {
    return asNumber(await run(redis, 'hash-field-swap-1', [key], [field, read, next])) === 1;
  },
  /** One entry at the head of a capped list kept `ttlSec` (the settings page's recent sends and errors). */
  async pushRecent(redis: RedisClient, key: string, entry: string, keep: number, ttlSec: number): Promise<void> {
    await run(redis, 'recent-push-1', [key], [entry, keep, ttlSec]);
  },
  /**
   * Claims the once-per-`periodMs` slot kept in `field` of hash `key` (times of the injected clock);
   * 0 = claimed now (and `clearField` deleted), else ms until the slot frees.
   */
  async claimPeriod(
    redis: RedisClient,
    key: string,
    args: { field: string; nowMs: number; periodMs: number; ttlMs: number; clearField?: string },
  ): Promise<number> {
    const argv = [args.field, args.nowMs, args.periodMs, args.ttlMs, args.clearField ?? ''];
    return asNumber(await run(redis, 'period-claim-1', [key], argv));
  },
  /** Gives back the slot `claimPeriod` claimed at `claimedMs` while `field` still holds it (false: another claim, or gone). */
  async releasePeriod(redis: RedisClient, key: string, field: string, claimedMs: number): Promise<boolean> {
    return asNumber(await run(redis, 'period-release-1', [key], [field, claimedMs])) === 1;
  },
  /** The portal's config version, set to `fresh` when it has none and its record exists; null when it has no record. */
  async configVersion(
    redis: RedisClient,
    keys: { version: string; record: string },
    fresh: string,
  ): Promise<string | null> {
    const version = await run(redis, 'config-version-2', [keys.version, keys.record], [fresh]);
    return typeof version === 'string' ? version : null;
  },
  /** Sets the record to `next` only if it still holds `read` (and the version with it); false when it changed. */
  async compareAndSet(
    redis: RedisClient,
    keys: { record: string; version: string },
    args: { read: string; next: string; version: string },
  ): Promise<boolean> {
    const argv = [args.read, args.next, args.version];
    return asNumber(await run(redis, 'compare-and-set-2', [keys.record, keys.version], argv)) === 1;
  },
  /** Deletes the lock at `key` only while it still holds `holder`; false when it lapsed or is another's. */
  async releaseLock(redis: RedisClient, key: string, holder: string): Promise<boolean> {
    return asNumber(await run(redis, 'lock-release-1', [key], [holder])) === 1;
  },
  /**
   * Claims a webhook-API idempotency key and writes the request's record, or names the holder:
   * code 1 claimed, 0 the same request before (replay `id`), -1 the key was used for another request.
   */
  async claimApiIdempotency(
    redis: RedisClient,
    idemKey: string,
    messageKey: string,
    request: { id: string; fingerprint: string; ttlSec: number; staleId: string; fields: Record<string, string> },
  ): Promise<{ code: number; id: string }> {
    const { id, fingerprint, ttlSec, staleId, fields } = request;
    const args = [id, fingerprint, ttlSec, staleId, ...Object.entries(fields).flat()];
    const reply = await run(redis, 'api-idempotency-claim-2', [idemKey, messageKey], args);
    const [code, holder]: unknown[] = Array.isArray(reply) ? reply : [];
    if (typeof holder !== 'string') throw new Error('api-idempotency-claim-2: unexpected reply');
    return { code: asNumber(code), id: holder };
  },
  /**
   * Appends an ordinary inbound message to the portal's stream; the number of its subscriptions and
   * its line's open-line attachment (JSON, null: none), read in the same step.
   */
  async appendInbound(
    redis: RedisClient,
    keys: { stream: string; subscriptions: string; attachments: string },
    lineId: string,
    fields: string[],
  ): Promise<{ subscriptions: number; attachment: string | null }> {
    const reply = await run(
      redis,
      'inbound-append-3',
      [keys.stream, keys.subscriptions, keys.attachments],
      [lineId, ...fields],
    );
    const [subscriptions, attachment]: unknown[] = Array.isArray(reply) ? reply : [];
    if (attachment !== null && typeof attachment !== 'string') throw new Error('inbound-append-3: unexpected reply');
    return { subscriptions: asNumber(subscriptions), attachment };
  },
  /** Makes a number's route `owner`'s, only from the holder the caller checked ('' = none); false when another holds it. */
  async claimLineRoute(redis: RedisClient, routeKey: string, checked: string, owner: string): Promise<boolean> {
    return asNumber(await run(redis, 'line-route-claim-1', [routeKey], [checked, owner])) === 1;
  },
  /** Deletes `key` only while it still holds `value` (the lock script's step); false when it changed meanwhile. */
  async deleteIfUnchanged(redis: RedisClient, key: string, value: string): Promise<boolean> {
    return asNumber(await run(redis, 'lock-release-1', [key], [value])) === 1;
  },
  /** Applies a delivery status (forward only); returns the stored status. */
  async applyMessageStatus(
    redis: RedisClient,
    key: string,
    args: { status: string; at: number; errorCode: string; ttlSec: number },
  ): Promise<string> {
    return String(await run(redis, 'message-status-1', [key], [args.status, args.at, args.errorCode, args.ttlSec]));
  },
  /** Marks a send step in flight; says what an earlier attempt left (see the script). */
  async claimSendStep(
    redis: RedisClient,
    keys: { step: string; wait: string; index: string },
    args: {
      step: string;
      mark: string;
      markPrefix: string;
      ttlSec: number;
      waitHoldsStep: boolean;
      waitField: string;
    },
  ): Promise<{ state: 'new' | 'maybe' | 'sent'; value: string }> {
    const argv = [args.step, args.mark, args.markPrefix, args.ttlSec, args.waitHoldsStep ? '1' : '0', args.waitField];
    const reply = await run(redis, 'send-step-claim-3', [keys.step, keys.wait, keys.index], argv);
    const [state, value]: unknown[] = Array.isArray(reply) ? reply : [];
    if (state !== 'new' && state !== 'maybe' && state !== 'sent') throw new Error(`send-step-claim: ${String(state)}`);
    return { state, value: String(value ?? '') };
  },
  /** Records a sent step, its message and the wait's link to it at once; returns the message's status. */
  async recordSend(
    redis: RedisClient,
    keys: { step: string; message: string; wait: string; index: string; recent: string },
    args: {
      step: string;
      messageId: string;
      stepTtlSec: number;
      sentAt: number;
      waId: string;
      messageTtlSec: number;
      waitId: string;
      waitPatchJson: string;
      aliasField: string;
      fallbackRef: string;
      waitField: string;
      /** The provider answered that the number sent to is the wa_id (a guessed other form goes). */
      confirmed: boolean;
      /** The recent-sends entry ('' = none), how many entries the list keeps and its ttl. */
      recentEntry: string;
      recentKeep: number;
      recentTtlSec: number;
    },
  ): Promise<{ status: string; recentError: string }> {
    const argv = [args.step, args.messageId, args.stepTtlSec, args.sentAt, args.waId, args.messageTtlSec];
    argv.push(args.waitId, args.waitPatchJson, args.aliasField, args.fallbackRef, args.waitField);
    argv.push(args.confirmed ? '1' : '0', args.recentEntry, args.recentKeep, args.recentTtlSec);
    const { step, message, wait, index, recent } = keys;
    const reply = await run(redis, 'send-record-5', [step, message, wait, index, recent], argv);
    const [status, recentError]: unknown[] = Array.isArray(reply) ? reply : [];
    return { status: String(status), recentError: typeof recentError === 'string' ? recentError : '' };
  },
  /** Takes this attempt's in-flight mark back (restoring `earlier`); false when it is not there any more. */
  async releaseSendStep(
    redis: RedisClient,
    key: string,
    args: { step: string; mark: string; earlier: string },
  ): Promise<boolean> {
    return asNumber(await run(redis, 'send-step-release-1', [key], [args.step, args.mark, args.earlier])) === 1;
  },
};
