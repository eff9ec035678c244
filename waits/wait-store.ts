import { otherWhatsAppForm } from '../lib/phone';
import type { RedisClient } from '../redis/connect';
import type { RedisKeys } from '../redis/keys';
import { type ClaimResult, waitScripts } from '../redis/wait-scripts';
import { readStoredWaits } from './read-stored-waits';
import { type StoredWait, storedMessagePatch, toStored } from './stored-wait';
import { fromStored } from './stored-wait-read';
import { WaitEnder, type WaitOutcome } from './wait-ender';
import type { Wait, WaitEnd } from './wait-schema';

export type { WaitOutcome };

/** Open and ended waits of every portal; a wait's keys share the portal's hash tag. */
export class WaitStore {
  private readonly ender: WaitEnder;

  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
  ) {
    this.ender = new WaitEnder(redis, keys);
  }

  /** Stores a wait before its message leaves; idempotent per wait id (a retried job keeps the first). */
  async open(
    wait: Omit<Wait, 'status' | 'reasks' | 'endedAt' | 'endReason' | 'waId'>,
  ): Promise<{ created: boolean; wait: Wait }> {
    // A Brazilian or Mexican customer may write from the other form of their number (a wait opened
    // without a send never learns their wa_id): indexed under both, as a wa_id learned later would be.
    const waId = otherWhatsAppForm(wait.phone) ?? '';
    const full: Wait = { ...wait, waId, status: 'open', reasks: 0 };
    const k = this.keys;
    const aliasField = waId ? k.waitIndexPhoneField(wait.lineId, waId) : '';
    const created = await waitScripts.openWait(
      this.redis,
      { wait: k.wait(wait.memberId, wait.id), index: k.waitIndex(wait.memberId), open: k.openWaits(wait.memberId) },
      {
        json: JSON.stringify({ ...toStored(full), ...(aliasField ? { waf: aliasField } : {}) }),
        waitId: wait.id,
        phoneField: k.waitIndexPhoneField(wait.lineId, wait.phone),
        documentField: this.documentField(wait.documentId),
        aliasField,
        deadline: wait.deadline,
        waitField: k.waitIndexWaitField(wait.id),
      },
    );
    // After the wait is stored: a drain that re-scores the portal meanwhile looks once more (see reindexDeadline).
    if (created) {
      await this.markDeadline(wait.memberId, full.deadline);
      return { created, wait: full };
    }
    const existing = await this.get(wait.memberId, wait.id);
    if (!existing) throw new Error(`wait ${wait.id} vanished while opening`);
    await this.markDeadline(wait.memberId, existing.deadline);
    return { created, wait: existing };
  }

  /** Puts the portal in the global deadline index, unless it is there with an earlier deadline already. */
  async markDeadline(memberId: string, deadline: number): Promise<void> {
    const index = this.keys.waitDeadlinePortals();
    await this.redis.multi().zadd(index, 'LT', deadline, memberId).zadd(index, 'NX', deadline, memberId).exec();
  }

  /** Portals whose earliest deadline is at or before `nowMs` (at most `limit`). */
  async duePortals(nowMs: number, limit: number): Promise<string[]> {
    return this.redis.zrangebyscore(this.keys.waitDeadlinePortals(), '-inf', nowMs, 'LIMIT', 0, limit);
  }

  /**
   * Scores the portal in the global index by its earliest open deadline (or takes it out when it has
   * none), then looks once more: a wait opened between the read and the write is never left out.
   */
  async reindexDeadline(memberId: string): Promise<void> {
    const index = this.keys.waitDeadlinePortals();
    const first = await this.earliestDeadline(memberId);
    if (first === null) await this.redis.zrem(index, memberId);
    else await this.redis.zadd(index, first, memberId);
    const again = await this.earliestDeadline(memberId);
    if (again !== null) await this.markDeadline(memberId, again);
  }

  /** A portal whose time-outs could not be ended (its portal is down) is looked at again at `retryAt`, not every second. */
  async postponeDeadline(memberId: string, retryAt: number): Promise<void> {
    await this.redis.zadd(this.keys.waitDeadlinePortals(), 'XX', retryAt, memberId);
  }

  /** Takes a wait that is no longer open out of the portal's deadline set. */
  async forgetDeadline(memberId: string, waitId: string): Promise<void> {
    await this.redis.zrem(this.keys.openWaits(memberId), waitId);
  }

  private async earliestDeadline(memberId: string): Promise<number | null> {
    const first = await this.redis.zrange(this.keys.openWaits(memberId), 0, 0, 'WITHSCORES');
    return first.length === 2 ? Number(first[1]) : null;
  }

  /** The wait, open or ended (ended ones are kept a week), or null. */
  async get(memberId: string, waitId: string): Promise<Wait | null> {
    const [raw] = await readStoredWaits(this.redis, this.keys, memberId, [waitId]);
    return raw ? fromStored(memberId, waitId, raw) : null;
  }

  /** Links the sent message to its wait (context.id replies, statuses) and keeps the send's return values. */
  async attachMessage(
    memberId: string,
    waitId: string,
    messageId: string,
    baseReturn: Record<string, string>,
    waId?: string,
  ): Promise<void> {
    const keys = { wait: this.keys.wait(memberId, waitId), index: this.keys.waitIndex(memberId) };
    const waitField = this.keys.waitIndexWaitField(waitId);
    await waitScripts.updateWait(this.redis, keys, waitField, storedMessagePatch(messageId, baseReturn));
    // The message record (kept for status tracking anyway) points back to the wait (`w`: see message-store.ts).
    await this.redis.hset(this.keys.message(memberId, messageId), 'w', waitId);
    const wait = waId ? await this.get(memberId, waitId) : null;
    if (!wait || !waId || (waId === wait.phone && !wait.waId)) return;
    // The dialled number confirmed as the wa_id: the guessed other form goes ('' drops it).
    const alias = waId === wait.phone ? '' : waId;
    const field = alias ? this.keys.waitIndexPhoneField(wait.lineId, alias) : '';
    await waitScripts.aliasWait(this.redis, keys, { waitId, waId: alias, field, waitField });
  }

  /** The wait a sent message belongs to, or null. */
  async findByMessage(memberId: string, messageId: string): Promise<Wait | null> {
    // `w` in records of this release, `waitId` in older ones (message-store.ts spells the record).
    const [short, long] = await this.redis.hmget(this.keys.message(memberId, messageId), 'w', 'waitId');
    const waitId = short ?? long;
    return waitId ? this.get(memberId, waitId) : null;
  }

  /** Open waits of a (line, phone), newest first. */
  async openForPhone(memberId: string, lineId: string, phone: string): Promise<Wait[]> {
    return this.openFromField(memberId, this.keys.waitIndexPhoneField(lineId, phone));
  }

  /**
   * The customer changed number (WhatsApp `user_changed_number`): their open waits on the line move
   * to the new one, each wait with its index entry in one step. Returns how many moved; a second
   * run (a retried job) finds none left under the old number.
   */
  async moveCustomer(memberId: string, lineId: string, from: string, to: string): Promise<number> {
    if (from === to) return 0;
    const fromField = this.keys.waitIndexPhoneField(lineId, from);
    const field = this.keys.waitIndexPhoneField(lineId, to);
    let moved = 0;
    // Oldest first, so the new field keeps their order (text replies go to the newest open wait).
    for (const wait of (await this.openFromField(memberId, fromField)).reverse()) {
      const keys = { wait: this.keys.wait(memberId, wait.id), index: this.keys.waitIndex(memberId) };
      const phoneField = this.keys.waitIndexPhoneField(wait.lineId, wait.phone);
      const waitField = this.keys.waitIndexWaitField(wait.id);
      const args = { waitId: wait.id, phone: to, field, fromField, phoneField, waitField };
      if (await waitScripts.moveWait(this.redis, keys, args)) moved += 1;
    }
    return moved;
  }

  /** Open waits of a CRM document, newest first. */
  async openForDocument(memberId: string, documentId: string): Promise<Wait[]> {
    return this.openFromField(memberId, this.documentField(documentId));
  }

  /** Open waits of a portal, soonest deadline first. */
  async listOpen(memberId: string, limit = 1000): Promise<Wait[]> {
    const ids = await this.redis.zrange(this.keys.openWaits(memberId), 0, limit - 1);
    return this.load(memberId, ids);
  }

  /** Open waits whose deadline is at or before `beforeMs` (oldest first, at most `limit`). */
  async overdue(memberId: string, beforeMs: number, limit: number): Promise<string[]> {
    return this.redis.zrangebyscore(this.keys.openWaits(memberId), '-inf', beforeMs, 'LIMIT', 0, limit);
  }

  /** Marks a reply as passed on to the ordinary messages; false when it already was. */
  async markReplyPassedOn(memberId: string, inboundMessageId: string): Promise<boolean> {
    const key = this.keys.replyPassedOn(memberId, inboundMessageId);
    return (await this.redis.set(key, '1', 'EX', 7 * 86400, 'NX')) === 'OK';
  }

  /** How many waits of the portal are open. */
  async countOpen(memberId: string): Promise<number> {
    return this.redis.zcard(this.keys.openWaits(memberId));
  }

  /** Counts a re-ask atomically: at most `max` per wait, once per inbound message. */
  async countReask(
    memberId: string,
    waitId: string,
    max: number,
    messageId: string,
  ): Promise<'now' | 'again' | 'none'> {
    const keys = { wait: this.keys.wait(memberId, waitId), index: this.keys.waitIndex(memberId) };
    return waitScripts.countReask(this.redis, keys, {
      max,
      messageId,
      waitField: this.keys.waitIndexWaitField(waitId),
    });
  }

  /** The wait an inbound message ended (its claim, kept 7 days), or null when it ended none. */
  async waitEndedBy(memberId: string, inboundMessageId: string): Promise<string | null> {
    return this.redis.get(this.keys.replyTaken(memberId, inboundMessageId));
  }

  /** The portal said the workflow is gone: the outcome never reached it, so the wait counts as cancelled. */
  async markWorkflowGone(memberId: string, waitId: string): Promise<void> {
    const patch: Partial<StoredWait> = { status: 'cancelled', endReason: 'workflow_gone' };
    const keys = { wait: this.keys.wait(memberId, waitId), index: this.keys.waitIndex(memberId) };
    await waitScripts.updateWait(this.redis, keys, this.keys.waitIndexWaitField(waitId), patch);
  }

  /**
   * Ends the wait exactly once with no callback (the robot is gone), and its `wait.ended` event in
   * the same atomic step. Only that: an outcome's callback needs the global index written after the
   * end, as `endAndMark` tells its caller (a callback queued here would wait for the sweep).
   */
  async end(wait: Wait, status: WaitEnd, reason: string, outcome: null, now: number): Promise<ClaimResult> {
    // A caller the types do not hold (a cast, plain JS) is refused before anything is written.
    if (outcome !== null) throw new Error(`wait ${wait.id}: an outcome ends a wait through endAndMark`);
    return (await this.endAndMark(wait, status, reason, outcome, now)).result;
  }

  /**
   * Ends the wait exactly once, queuing its callback and its `wait.ended` event in the same atomic
   * step (so a crash after the claim still delivers them). No outcome: no callback (the robot is gone).
   * Whether anybody hears the event the script decides in that same step (WaitEnder says how).
   * Says whether the caller must write the callback's portal into the global index of due portals
   * (`CallbackOutbox.indexQueued`, confirming `confirmToken`): see WaitEnder. Its parameters are
   * WaitEnder.end's, forwarded: the list is written once, there.
   */
  endAndMark(...args: Parameters<WaitEnder['end']>): ReturnType<WaitEnder['end']> {
    return this.ender.end(...args);
  }

  private async openFromField(memberId: string, field: string): Promise<Wait[]> {
    if (!field) return [];
    const ids = ((await this.redis.hget(this.keys.waitIndex(memberId), field)) ?? '')
      .split(' ')
      .filter(Boolean)
      .reverse();
    return this.load(memberId, ids);
  }

  private async load(memberId: string, ids: string[]): Promise<Wait[]> {
    if (!ids.length) return [];
    const raws = await readStoredWaits(this.redis, this.keys, memberId, ids);
    return ids
      .flatMap((id, i) => {
        const raw = raws[i];
        return raw ? [fromStored(memberId, id, raw)] : [];
      })
      .filter((w) => w.status === 'open');
  }

  /** A document's index field, or '' (none: the scripts skip it) for a call without a document. */
  private documentField(documentId: string): string {
    return documentId ? this.keys.waitIndexDocumentField(documentId) : '';
  }
}
