import type { RedisClient } from './connect';
import type { HookEmit } from './hook-scripts';
import { asNumber, run } from './scripts';

/** `reply_taken`: this inbound message already ended a wait (its job ran twice, or two runs overlapped). */
export type ClaimResult = 'claimed' | 'already_ended' | 'not_found' | 'reply_taken';

/**
 * Typed wrappers of the scripts that store, change and end a wait (listed with the others in
 * redis/script-files.ts, which puts the lua/lib preludes before each). Each takes the wait's own
 * field of the wait index: an open wait is kept there (lua/lib/wait-record.lua).
 */
export const waitScripts = {
  /** True when the wait was created (false: it already existed). */
  async openWait(
    redis: RedisClient,
    keys: { wait: string; index: string; open: string },
    args: {
      json: string;
      waitId: string;
      phoneField: string;
      documentField: string;
      /** The index field of the customer's other WhatsApp id ('' = none; the wait names it as `waf`). */
      aliasField: string;
      deadline: number;
      /** The wait's own field of the index hash (it is kept there while open). */
      waitField: string;
    },
  ): Promise<boolean> {
    const argv = [args.json, args.waitId, args.phoneField, args.documentField, args.deadline, args.aliasField];
    argv.push(args.waitField);
    return asNumber(await run(redis, 'wait-open-3', [keys.wait, keys.index, keys.open], argv)) === 1;
  },
  /**
   * Ends a wait once, with its callback and its outbound event in the same step. `mustIndex`: a
   * callback was queued and the caller writes the global index (false behind a confirmed index
   * write as early: a burst writes it once), then confirms `mark.token` when `mustConfirm`
   * (lib/callback-mark.lua).
   * `event_needed`: the event came without its body and the portal has subscriptions: nothing was
   * done, the caller ends it again with the body.
   */
  async endWait(
    redis: RedisClient,
    keys: {
      wait: string;
      index: string;
      open: string;
      cbPending: string;
      cbDue: string;
      replyTaken: string;
      hookSeen: string;
      hookEvents: string;
      hookSubscriptions: string;
      /** The portal's callback index mark. */
      cbIndexed: string;
    },
    event: HookEmit,
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
      waitField: string;
    },
    mark: { token: string; pendingTtlMs: number },
  ): Promise<{ result: ClaimResult | 'event_needed'; mustIndex: boolean; mustConfirm: boolean }> {
    const k = [keys.wait, keys.index, keys.open, keys.cbPending, keys.cbDue, keys.replyTaken];
    const a = [args.waitId, args.status, args.reason, args.nowMs, args.callbackId, args.callbackJson, args.keepMs];
    const fields = [args.phoneField, args.documentField, args.byReply ? '1' : '0', args.aliasField];
    const eventKeys = [keys.hookSeen, keys.hookEvents, keys.hookSubscriptions, keys.cbIndexed];
    const eventArgs = [event.eventId, event.body, event.seenMs, event.channel, event.memberId, args.waitField];
    const reply = await run(
      redis,
      'wait-end-10',
      [...k, ...eventKeys],
      [...a, ...fields, ...eventArgs, mark.token, mark.pendingTtlMs],
    );
    if (!Array.isArray(reply) || reply.length !== 2) throw new Error(`wait-end-10 answered ${JSON.stringify(reply)}`);
    const code = asNumber(reply[0]);
    const result =
      code === 1
        ? 'claimed'
        : code === 0
          ? 'already_ended'
          : code === 2
            ? 'reply_taken'
            : code === 3
              ? 'event_needed'
              : 'not_found';
    const index = asNumber(reply[1]);
    return { result, mustIndex: index !== 0, mustConfirm: index === 1 };
  },
  /** Indexes a wait under the customer's wa_id too (`field`, which the wait keeps); false when it already ended. */
  async aliasWait(
    redis: RedisClient,
    keys: { wait: string; index: string },
    args: { waitId: string; waId: string; field: string; waitField: string },
  ): Promise<boolean> {
    const argv = [args.waitId, args.waId, args.field, args.waitField];
    return asNumber(await run(redis, 'wait-alias-2', [keys.wait, keys.index], argv)) === 1;
  },
  /** Moves an open wait to the customer's new number (phone and index entry at once); false when it already ended. */
  async moveWait(
    redis: RedisClient,
    keys: { wait: string; index: string },
    args: { waitId: string; phone: string; field: string; fromField: string; phoneField: string; waitField: string },
  ): Promise<boolean> {
    const argv = [args.waitId, args.phone, args.field, args.fromField, args.phoneField, args.waitField];
    return asNumber(await run(redis, 'wait-move-2', [keys.wait, keys.index], argv)) === 1;
  },
  /** 'now' = re-ask, 'again' = this message was counted already, 'none' = no re-asks left. */
  async countReask(
    redis: RedisClient,
    keys: { wait: string; index: string },
    args: { max: number; messageId: string; waitField: string },
  ): Promise<'now' | 'again' | 'none'> {
    const argv = [args.max, args.messageId, args.waitField];
    const code = asNumber(await run(redis, 'wait-reask-2', [keys.wait, keys.index], argv));
    return code === 1 ? 'now' : code === 2 ? 'again' : 'none';
  },
  /** 1 updated, 0 status mismatch, -1 no such wait; throws on a patch that would end an open wait in place. */
  async updateWait(
    redis: RedisClient,
    keys: { wait: string; index: string },
    waitField: string,
    patch: Record<string, unknown>,
    increment = '',
    requiredStatus = '',
  ): Promise<number> {
    const argv = [JSON.stringify(patch), increment, requiredStatus, waitField];
    const result = asNumber(await run(redis, 'wait-update-2', [keys.wait, keys.index], argv));
    if (result === -2) throw new Error(`${keys.wait}: an open wait ends only through endWait, not a status patch`);
    return result;
  },
};
