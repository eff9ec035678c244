import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Redis } from 'ioredis';

/** Lua scripts by file name; the digit before `.lua` is the KEYS count. */
const scriptFiles = [
  'line-rate-take-1',
  'line-rate-done-1',
  'rest-bucket-take-1',
  'callback-enqueue-2',
  'callback-claim-2',
  'callback-settle-2',
  'wait-open-3',
  'wait-end-6',
  'wait-update-1',
  'wait-reask-1',
  'wait-alias-2',
  'message-status-1',
  'send-step-claim-1',
  'send-step-release-1',
  'callback-extend-1',
  'period-claim-1',
  'compare-and-set-1',
  'wait-move-2',
  'api-rate-take-2',
] as const;

type ScriptName = (typeof scriptFiles)[number];
type RedisValue = string | number;

/** Shared Lua helpers (`lua/lib/`) put before the scripts that use them: one copy of each loop. */
const preludes: Partial<Record<ScriptName, string[]>> = {
  'wait-open-3': ['wait-index'],
  'wait-end-6': ['wait-index'],
  'wait-alias-2': ['wait-index'],
  'wait-move-2': ['wait-index'],
};

function loadScript(name: ScriptName): { lua: string; numberOfKeys: number } {
  const numberOfKeys = Number(name.slice(name.lastIndexOf('-') + 1));
  const read = (path: string) => readFileSync(join(__dirname, 'lua', path), 'utf8');
  const libs = (preludes[name] ?? []).map((lib) => read(join('lib', `${lib}.lua`)));
  return { lua: [...libs, read(`${name}.lua`)].join('\n'), numberOfKeys };
}

const loaded = new Map(scriptFiles.map((name) => [name, loadScript(name)]));

/** Runs a script by name (EVALSHA with EVAL fallback, through ioredis' defineCommand cache). */
async function run(redis: Redis, name: ScriptName, keys: string[], args: RedisValue[]): Promise<unknown> {
  const script = loaded.get(name);
  if (!script) throw new Error(`unknown script ${name}`);
  if (keys.length !== script.numberOfKeys)
    throw new Error(`${name} takes ${script.numberOfKeys} keys, got ${keys.length}`);
  const commandName = `wa_${name.replace(/-/g, '_')}`;
  const commands = redis as unknown as Record<string, ((...a: RedisValue[]) => Promise<unknown>) | undefined>;
  if (typeof commands[commandName] !== 'function') {
    redis.defineCommand(commandName, { lua: script.lua, numberOfKeys: script.numberOfKeys });
  }
  const command = commands[commandName];
  if (!command) throw new Error(`could not define ${commandName}`);
  return command.call(redis, ...keys, ...args);
}

function asNumber(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string') return Number(value);
  throw new Error(`script returned ${typeof value}, expected a number`);
}

/** Typed wrappers, one per script. */
export const scripts = {
  /** 0 = slot taken, else ms to wait. The slot stays counted while the send is in flight. */
  async takeLineSlot(
    redis: Redis,
    key: string,
    limit: number,
    windowMs: number,
    slotId: string,
    inFlightMs = 30_000,
  ): Promise<number> {
    return asNumber(await run(redis, 'line-rate-take-1', [key], [limit, windowMs, slotId, inFlightMs]));
  },
  /** The provider answered: the slot leaves the window `windowMs` from now. */
  async finishLineSlot(redis: Redis, key: string, slotId: string, windowMs: number): Promise<void> {
    await run(redis, 'line-rate-done-1', [key], [slotId, windowMs]);
  },
  /** Webhook-API request windows of one token: 0 = taken, else ms until one would be. */
  async takeApiRequest(
    redis: Redis,
    keys: { overall: string; method: string },
    limits: { overall: number; overallWindowMs: number; method: number; methodWindowMs: number },
    requestId: string,
  ): Promise<number> {
    const args = [limits.overall, limits.overallWindowMs, limits.method, limits.methodWindowMs, requestId];
    return asNumber(await run(redis, 'api-rate-take-2', [keys.overall, keys.method], args));
  },
  /** 0 = may call now, else ms to wait; `penalty` fills the bucket after QUERY_LIMIT_EXCEEDED. */
  async takeRestToken(
    redis: Redis,
    key: string,
    drainPerSec: number,
    capacity: number,
    penalty = false,
  ): Promise<number> {
    return asNumber(await run(redis, 'rest-bucket-take-1', [key], [drainPerSec, capacity, penalty ? '1' : '0']));
  },
  async enqueueCallback(
    redis: Redis,
    pendingKey: string,
    dueKey: string,
    id: string,
    json: string,
    dueMs: number,
  ): Promise<boolean> {
    return asNumber(await run(redis, 'callback-enqueue-2', [pendingKey, dueKey], [id, json, dueMs])) === 1;
  },
  async claimCallbacks(
    redis: Redis,
    pendingKey: string,
    dueKey: string,
    nowMs: number,
    max: number,
    leaseMs: number,
  ): Promise<Array<{ id: string; json: string }>> {
    const flat = await run(redis, 'callback-claim-2', [pendingKey, dueKey], [nowMs, max, leaseMs]);
    if (!Array.isArray(flat)) return [];
    const out: Array<{ id: string; json: string }> = [];
    for (let i = 0; i + 1 < flat.length; i += 2) out.push({ id: String(flat[i]), json: String(flat[i + 1]) });
    return out;
  },
  /** Returns the earliest due ms left, or -1 when the outbox is empty. */
  async settleCallbacks(
    redis: Redis,
    pendingKey: string,
    dueKey: string,
    acks: string[],
    retries: Array<{ id: string; json: string; dueMs: number }>,
  ): Promise<number> {
    const args: RedisValue[] = [acks.length, ...acks];
    for (const r of retries) args.push(r.id, r.json, r.dueMs);
    return asNumber(await run(redis, 'callback-settle-2', [pendingKey, dueKey], args));
  },
  /** Extends the lease of claimed callbacks to `dueMs` (those still claimed); returns how many. */
  async extendCallbackLease(redis: Redis, dueKey: string, ids: string[], dueMs: number): Promise<number> {
    return asNumber(await run(redis, 'callback-extend-1', [dueKey], [dueMs, ...ids]));
  },
  /** True when the wait was created (false: it already existed). */
  async openWait(
    redis: Redis,
    keys: { wait: string; index: string; open: string },
    args: { json: string; waitId: string; phoneField: string; documentField: string; deadline: number },
  ): Promise<boolean> {
    return (
      asNumber(
        await run(
          redis,
          'wait-open-3',
          [keys.wait, keys.index, keys.open],
          [args.json, args.waitId, args.phoneField, args.documentField, args.deadline],
        ),
      ) === 1
    );
  },
  /** Ends a wait once, with its callback in the same step. */
  async endWait(
    redis: Redis,
    keys: { wait: string; index: string; open: string; cbPending: string; cbDue: string; replyTaken: string },
    args: {
      waitId: string;
      status: string;
      reason: string;
      nowMs: number;
      callbackId: string;
      callbackJson: string;
      keepMs: number;
      phoneField: string;
      documentField: string;
      /** The wa_id index field as the caller knows it ('' = none); the script also removes the one the wait names. */
      aliasField: string;
      byReply: boolean;
    },
  ): Promise<ClaimResult> {
    const k = [keys.wait, keys.index, keys.open, keys.cbPending, keys.cbDue, keys.replyTaken];
    const a = [args.waitId, args.status, args.reason, args.nowMs, args.callbackId, args.callbackJson, args.keepMs];
    const fields = [args.phoneField, args.documentField, args.byReply ? '1' : '0', args.aliasField];
    const code = asNumber(await run(redis, 'wait-end-6', k, [...a, ...fields]));
    return code === 1 ? 'claimed' : code === 0 ? 'already_ended' : code === 2 ? 'reply_taken' : 'not_found';
  },
  /** Indexes a wait under the customer's wa_id too (`field`, which the wait keeps); false when it already ended. */
  async aliasWait(
    redis: Redis,
    keys: { wait: string; index: string },
    args: { waitId: string; waId: string; field: string },
  ): Promise<boolean> {
    return (
      asNumber(await run(redis, 'wait-alias-2', [keys.wait, keys.index], [args.waitId, args.waId, args.field])) === 1
    );
  },
  /** Moves an open wait to the customer's new number (phone and index entry at once); false when it already ended. */
  async moveWait(
    redis: Redis,
    keys: { wait: string; index: string },
    args: { waitId: string; phone: string; field: string; fromField: string; phoneField: string },
  ): Promise<boolean> {
    const argv = [args.waitId, args.phone, args.field, args.fromField, args.phoneField];
    return asNumber(await run(redis, 'wait-move-2', [keys.wait, keys.index], argv)) === 1;
  },
  /**
   * Claims the once-per-`periodMs` slot kept in `field` of hash `key` (times of the injected clock);
   * 0 = claimed now (and `clearField` deleted), else ms until the slot frees.
   */
  async claimPeriod(
    redis: Redis,
    key: string,
    args: { field: string; nowMs: number; periodMs: number; ttlMs: number; clearField?: string },
  ): Promise<number> {
    const argv = [args.field, args.nowMs, args.periodMs, args.ttlMs, args.clearField ?? ''];
    return asNumber(await run(redis, 'period-claim-1', [key], argv));
  },
  /** Sets `key` to `next` only if it still holds `read`; false when it changed meanwhile. */
  async compareAndSet(redis: Redis, key: string, read: string, next: string): Promise<boolean> {
    return asNumber(await run(redis, 'compare-and-set-1', [key], [read, next])) === 1;
  },
  /** 'now' = re-ask, 'again' = this message was counted already, 'none' = no re-asks left. */
  async countReask(redis: Redis, key: string, max: number, messageId: string): Promise<'now' | 'again' | 'none'> {
    const code = asNumber(await run(redis, 'wait-reask-1', [key], [max, messageId]));
    return code === 1 ? 'now' : code === 2 ? 'again' : 'none';
  },
  /** Applies a delivery status (forward only); returns the stored status. */
  async applyMessageStatus(
    redis: Redis,
    key: string,
    args: {
      status: string;
      at: number;
      errorCode: string;
      memberId: string;
      providerMessageId: string;
      ttlSec: number;
    },
  ): Promise<string> {
    return String(
      await run(
        redis,
        'message-status-1',
        [key],
        [args.status, args.at, args.errorCode, args.memberId, args.providerMessageId, args.ttlSec],
      ),
    );
  },
  /** Marks a send step in flight; says what an earlier attempt left (see the script). */
  async claimSendStep(
    redis: Redis,
    key: string,
    args: { step: string; mark: string; markPrefix: string; ttlSec: number },
  ): Promise<{ state: 'new' | 'maybe' | 'sent'; value: string }> {
    const reply = await run(redis, 'send-step-claim-1', [key], [args.step, args.mark, args.markPrefix, args.ttlSec]);
    const [state, value] = Array.isArray(reply) ? reply : [];
    if (state !== 'new' && state !== 'maybe' && state !== 'sent') throw new Error(`send-step-claim: ${String(state)}`);
    return { state, value: String(value ?? '') };
  },
  /** Takes this attempt's in-flight mark back (restoring `earlier`); false when it is not there any more. */
  async releaseSendStep(
    redis: Redis,
    key: string,
    args: { step: string; mark: string; earlier: string },
  ): Promise<boolean> {
    return asNumber(await run(redis, 'send-step-release-1', [key], [args.step, args.mark, args.earlier])) === 1;
  },
  /** 1 updated, 0 status mismatch, -1 no such wait. */
  async updateWait(
    redis: Redis,
    key: string,
    patch: Record<string, unknown>,
    increment = '',
    requiredStatus = '',
  ): Promise<number> {
    return asNumber(await run(redis, 'wait-update-1', [key], [JSON.stringify(patch), increment, requiredStatus]));
  },
};

/** `reply_taken`: this inbound message already ended another wait (its job ran twice). */
export type ClaimResult = 'claimed' | 'already_ended' | 'not_found' | 'reply_taken';
