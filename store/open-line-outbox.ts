import { z } from 'zod';
import type { Clock } from '../lib/clock';
import { randomId } from '../lib/hash';
import type { RedisClient } from '../redis/connect';
import type { RedisKeys } from '../redis/keys';
import { asNumber, run } from '../redis/scripts';

/** The user and chat of a customer's chat item (imconnector.send.messages, openlines-wire.md §4). */
const customerPartsSchema = z.object({
  user: z.object({
    id: z.string(),
    name: z.string().optional(),
    phone: z.string().optional(),
    url: z.string().optional(),
  }),
  message: z.object({
    id: z.string(),
    date: z.number(),
    text: z.string().optional(),
    files: z.array(z.object({ url: z.string(), name: z.string() })).optional(),
    user_id: z.number().optional(),
    /** A reply a robot's wait took: no CRM tracking (the robot's deal already has the customer). */
    disable_crm: z.literal('Y').optional(),
  }),
  chat: z.object({ id: z.string(), name: z.string().optional(), url: z.string().optional() }),
});

/** One thing to show in (or confirm to) an open-line chat, delivered in order per chat. */
export const chatItemSchema = z.discriminatedUnion('kind', [
  /** A customer's message (send.messages). */
  z.object({
    kind: z.literal('customer'),
    id: z.string(),
    openLineId: z.string(),
    /** Its number in the chat, given at receipt (the webhook door): the chat's messages go in this order. */
    seq: z.number().int().positive().optional(),
    ...customerPartsSchema.shape,
    /**
     * The customer's media: its link is signed when the item is sent (a link signed at queue time
     * would expire while the chat waits); `fallbackText` is shown instead when the portal could not take the file.
     */
    media: z.object({ lineId: z.string(), mediaId: z.string(), name: z.string(), fallbackText: z.string() }).optional(),
  }),
  /** What the business sent outside the chat (a robot): a grey line, or as the employee when no chat exists yet. */
  z.object({
    kind: z.literal('business'),
    id: z.string(),
    openLineId: z.string(),
    chatId: z.string(),
    text: z.string(),
    user: customerPartsSchema.shape.user,
    /** The employee a first message is posted as (no chat yet). */
    employeeId: z.number(),
  }),
  /**
   * A system note in a chat the portal named (an operator message refused); when the app may not
   * post there, it goes through the connector as `viaConnector`'s employee (like a business item).
   */
  z.object({
    kind: z.literal('note'),
    id: z.string(),
    portalChatId: z.string(),
    text: z.string(),
    viaConnector: z
      .object({
        openLineId: z.string(),
        chatId: z.string(),
        user: customerPartsSchema.shape.user,
        employeeId: z.number(),
      })
      .optional(),
  }),
  /**
   * A customer message with a number that is not shown in the chat (a wait took it, the line was
   * switched off meanwhile): it settles its number, so the chat's later messages do not wait for it.
   */
  z.object({ kind: z.literal('skip'), id: z.string(), seq: z.number().int().positive() }),
  /** Confirms an operator message (status.delivery). */
  z.object({
    kind: z.literal('delivery'),
    id: z.string(),
    openLineId: z.string(),
    chatId: z.string(),
    portalChatId: z.string(),
    portalMessageId: z.string(),
    providerMessageIds: z.array(z.string()),
    date: z.number(),
  }),
]);
export type ChatItem = z.infer<typeof chatItemSchema>;

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
    const parsed = chatItemSchema.parse(item);
    const dueMs = at;
    const out = await run(
      this.redis,
      'open-line-enqueue-5',
      [
        this.keys.openLineSeen(memberId, `${parsed.kind}:${parsed.id}`),
        this.keys.openLineQueue(memberId, chatKey),
        this.keys.openLineDue(memberId),
        this.keys.openLineSeq(memberId, chatKey, at),
        this.keys.openLineOrder(memberId, chatKey),
      ],
      [chatKey, at, JSON.stringify(parsed), dueMs, SEEN_TTL_S, this.options.maxPerChat ?? 1000],
    );
    const [queued, dropped] = Array.isArray(out) ? out.map(Number) : [0, 0];
    if (dropped) await this.options.onDropped?.(memberId, chatKey, dropped, 'open_line_backlog_full');
    if (queued === 1) await this.markDue(memberId, dueMs);
    return queued === 1;
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
   * Leases a due chat and reads its oldest `max` items and its order: null when another dispatcher
   * holds it (or it waits to retry).
   */
  async claim(memberId: string, chatKey: string, leaseMs: number, max: number): Promise<ClaimedChat | null> {
    const now = this.clock.now();
    const token = randomId(9);
    const out = await run(
      this.redis,
      'open-line-claim-4',
      [
        this.keys.openLineDue(memberId),
        this.keys.openLineQueue(memberId, chatKey),
        this.keys.openLineLease(memberId),
        this.keys.openLineOrder(memberId, chatKey),
      ],
      [chatKey, now, now + leaseMs, max, token],
    );
    if (!Array.isArray(out) || out.length === 0) return null;
    const [next = '', gap = '', first = '', ...members] = out.map(String);
    const items = members.map((member) => ({ member, item: chatItemSchema.parse(JSON.parse(member)) }));
    const order = { next: next === '' ? null : Number(next), gap: parseGap(gap) };
    return { token, items, oldestAt: first ? Math.floor(Number(first) / 1000) : null, order };
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
