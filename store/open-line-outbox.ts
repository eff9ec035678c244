import type { Clock } from '../lib/clock';
import { randomId } from '../lib/hash';
import type { RedisClient } from '../redis/connect';
import type { RedisKeys } from '../redis/keys';
import { asNumber, run } from '../redis/scripts';
import { type ChatItem, chatItemSchema } from './chat-item';

// The item schemas live in their own file (this one is the queue); their importers keep this path.
export { type ChatItem, chatItemSchema } from './chat-item';

/** An item as claimed: its stored member (to settle it) and its parsed content. */
export interface ClaimedItem {
  member: string;
  item: ChatItem;
}

/** Where a chat's numbered messages are: the number to settle next, and the gap it waits on. */
export interface ChatOrder {
  /** null: no number settled yet (the first is 1). */
  next: number | null;
  /** The missing number `awaited` the chat waits for since `since` (ms), or null. */
  gap: { since: number; awaited: number } | null;
}

/**
 * A claimed chat: the lease's token (for settle and extend), its oldest items in arrival order,
 * when the oldest arrived, its order.
 */
export interface ClaimedChat {
  token: string;
  items: ClaimedItem[];
  oldestAt: number | null;
  order: ChatOrder;
  /** The JSON of the chat's line's attachment, read with the items (null: none, or no line asked for). */
  attachment: string | null;
}

/** How a settle moves the chat's order: `next` to store (undefined: unchanged), the gap (undefined: unchanged). */
export interface OrderChange {
  next?: number;
  gap?: ChatOrder['gap'];
  /** The chat sleeps on the gap: an item queued in it makes it due at once. */
  sleepOnGap?: boolean;
  /**
   * With `sleepOnGap`: when the chat is due instead if an item was queued since the claim (it may be
   * the missing one, and its enqueue could not wake a leased chat). Default: `nextDueMs`.
   */
  wakeAt?: number;
}

/** A chat's order lives this long after its last use (the numbers start again at 1 after it). */
export const ORDER_TTL_MS = 30 * 86400_000;

function parseGap(raw: string): ChatOrder['gap'] {
  const [since, awaited] = raw.split('|').map(Number);
  return since !== undefined && awaited !== undefined && Number.isFinite(since) && Number.isFinite(awaited)
    ? { since, awaited }
    : null;
}

/** What settle answers when the lease was lost. */
export const LEASE_LOST = -2;

/** Item ids are remembered this long: a webhook or event repeated within it is not shown twice. */
const SEEN_TTL_S = 7 * 86400;
// A message's number is kept a day (~100 B per message): only a repeat after a crash between numbering
// and the door's seen marker needs it; a later one gets a new number (at most one gap time-out).
export const NUMBER_TTL_S = 86400;

/**
 * The open-line outbox: a queue per customer chat, leased by one dispatcher at a time, so a chat's
 * items go out in the order they arrived whatever the number of processes; nothing leaves the queue
 * before the portal took it. Customer messages carry the number their webhook got at receipt: the
 * dispatcher orders them by it (openlines/chat-order.ts), however late their job ran.
 */
export class OpenLineOutbox {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
    private readonly clock: Clock,
    private readonly options: {
      /** Most items one chat keeps waiting (default 1000): the oldest beyond it are dropped and noted. */
      maxPerChat?: number;
      /** Told of items dropped from a chat (the activity log of the settings page). */
      onDropped?: (memberId: string, chatKey: string, count: number, code: 'open_line_backlog_full') => Promise<void>;
    } = {},
  ) {}

  /** Queues an item (arrival `at` ms orders the chat); false when its id was queued before. */
  async enqueue(memberId: string, chatKey: string, item: ChatItem, at = this.clock.now()): Promise<boolean> {
    return (await this.write(memberId, chatKey, item, at, ['', '', ''])) === 'queued';
  }

  /**
   * Queues a customer message for the open line its line was read attached to (`onLine`: the line,
   * and whether a wait took the message), checked in the same step: `changed` (nothing queued) when
   * the attachment no longer fits (detached, moved, switched off): the caller reads it again.
   */
  async enqueueForLine(
    memberId: string,
    item: Extract<ChatItem, { kind: 'customer' }>,
    at: number,
    onLine: { lineId: string; taken: boolean },
  ): Promise<'queued' | 'repeat' | 'changed'> {
    const check = [onLine.lineId, item.openLineId, onLine.taken ? '1' : '0'];
    return this.write(memberId, item.chat.id, item, at, check);
  }

  /**
   * Queues the skip marker of a numbered customer message its line was read not to relay
   * (`onLine`: detached, switched off, or a taken reply not relayed), checked in the same step:
   * `changed` (nothing queued) when the line is relayable now (attached, switched on): the caller
   * reads it again, so the message is not lost to a chat that takes its later messages.
   */
  async skipForLine(
    memberId: string,
    chatKey: string,
    item: Extract<ChatItem, { kind: 'skip' }>,
    at: number,
    onLine: { lineId: string; taken: boolean },
  ): Promise<'queued' | 'repeat' | 'changed'> {
    return this.write(memberId, chatKey, item, at, [onLine.lineId, '', onLine.taken ? '1' : '0']);
  }

  private async write(
    memberId: string,
    chatKey: string,
    item: ChatItem,
    at: number,
    check: string[],
  ): Promise<'queued' | 'repeat' | 'changed'> {
    const parsed = chatItemSchema.parse(item);
    const dueMs = at;
    const out = await run(
      this.redis,
      'open-line-enqueue-6',
      [
        this.keys.openLineSeen(memberId, `${parsed.kind}:${parsed.id}`),
        this.keys.openLineQueue(memberId, chatKey),
        this.keys.openLineDue(memberId),
        this.keys.openLineSeq(memberId, chatKey, at),
        this.keys.openLineOrder(memberId, chatKey),
        this.keys.openLineAttachments(memberId),
      ],
      [chatKey, at, JSON.stringify(parsed), dueMs, SEEN_TTL_S, this.options.maxPerChat ?? 1000, ...check],
    );
    const [queued, dropped] = Array.isArray(out) ? out.map(Number) : [0, 0];
    if (queued === -1) return 'changed';
    if (dropped) await this.options.onDropped?.(memberId, chatKey, dropped, 'open_line_backlog_full');
    if (queued === 1) await this.markDue(memberId, dueMs);
    return queued === 1 ? 'queued' : 'repeat';
  }

  /** Puts the portal in the global index and wakes the dispatchers when it became due earlier. */
  async markDue(memberId: string, dueMs: number): Promise<void> {
    const changed = await this.redis.zadd(this.keys.openLinePortals(), 'LT', 'CH', dueMs, memberId);
    if (Number(changed) > 0) await this.redis.publish(this.keys.openLineWake(), memberId);
  }

  /** Chats of a portal due now. */
  async dueChats(memberId: string, limit: number): Promise<string[]> {
    return this.redis.zrangebyscore(this.keys.openLineDue(memberId), '-inf', this.clock.now(), 'LIMIT', 0, limit);
  }

  /**
   * Leases a due chat and reads its oldest `max` items, its order and the attachment of `lineId`
   * (the chat's WhatsApp line): null when another dispatcher holds it (or it waits to retry).
   */
  async claim(
    memberId: string,
    chatKey: string,
    leaseMs: number,
    max: number,
    lineId = '',
  ): Promise<ClaimedChat | null> {
    const now = this.clock.now();
    const token = randomId(9);
    const out = await run(
      this.redis,
      'open-line-claim-5',
      [
        this.keys.openLineDue(memberId),
        this.keys.openLineQueue(memberId, chatKey),
        this.keys.openLineLease(memberId),
        this.keys.openLineOrder(memberId, chatKey),
        this.keys.openLineAttachments(memberId),
      ],
      [chatKey, now, now + leaseMs, max, token, lineId],
    );
    if (!Array.isArray(out) || out.length === 0) return null;
    const [next = '', gap = '', first = '', attachment = '', ...members] = out.map(String);
    const items = members.map((member) => ({ member, item: chatItemSchema.parse(JSON.parse(member)) }));
    const order = { next: next === '' ? null : Number(next), gap: parseGap(gap) };
    const oldestAt = first ? Math.floor(Number(first) / 1000) : null;
    return { token, items, oldestAt, order, attachment: attachment === '' ? null : attachment };
  }

  /** Renews the lease `token` holds for `leaseMs` more; false when it was lost (the chat is another's now). */
  async extend(memberId: string, chatKey: string, token: string, leaseMs: number): Promise<boolean> {
    const out = await run(
      this.redis,
      'open-line-extend-2',
      [this.keys.openLineDue(memberId), this.keys.openLineLease(memberId)],
      [chatKey, token, this.clock.now() + leaseMs],
    );
    return asNumber(out) === 1;
  }

  /**
   * Removes delivered items and moves the chat's order; the chat is due again at `nextDueMs` if any
   * are left. Returns the portal's next due ms, -1 when none is left, or LEASE_LOST (nothing
   * changed: `token` no longer holds the chat).
   */
  async settle(
    memberId: string,
    chatKey: string,
    token: string,
    delivered: string[],
    nextDueMs: number,
    order: OrderChange = {},
  ): Promise<number> {
    const gap = order.gap === undefined ? '-' : order.gap === null ? '' : `${order.gap.since}|${order.gap.awaited}`;
    return asNumber(
      await run(
        this.redis,
        'open-line-settle-4',
        [
          this.keys.openLineDue(memberId),
          this.keys.openLineQueue(memberId, chatKey),
          this.keys.openLineLease(memberId),
          this.keys.openLineOrder(memberId, chatKey),
        ],
        [
          chatKey,
          nextDueMs,
          token,
          order.next === undefined ? '' : order.next,
          gap,
          order.sleepOnGap ? '1' : '0',
          ORDER_TTL_MS,
          order.wakeAt ?? nextDueMs,
          ...delivered,
        ],
      ),
    );
  }

  /** A customer message's number in its chat at receipt (the same for a repeat); `jobId` carries it. */
  async numberAtReceipt(memberId: string, chatKey: string, messageId: string, jobId = ''): Promise<number> {
    return asNumber(
      await run(
        this.redis,
        'open-line-number-2',
        [this.keys.openLineNumberOf(memberId, messageId), this.keys.openLineOrder(memberId, chatKey)],
        [NUMBER_TTL_S, ORDER_TTL_MS, jobId],
      ),
    );
  }

  /** The id of the job carrying number `n` of a chat while it is not settled (null: unknown, or settled). */
  async jobOf(memberId: string, chatKey: string, n: number): Promise<string | null> {
    return this.redis.hget(this.keys.openLineOrder(memberId, chatKey), `j:${n}`);
  }

  /** Pending items of one chat (for checks and the CLI). */
  async pending(memberId: string, chatKey: string): Promise<number> {
    return this.redis.zcard(this.keys.openLineQueue(memberId, chatKey));
  }
}
