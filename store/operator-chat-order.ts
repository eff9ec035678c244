import type { RedisClient } from '../redis/connect';
import type { RedisKeys } from '../redis/keys';
import { asNumber, run } from '../redis/scripts';
import { NUMBER_TTL_S, ORDER_TTL_MS } from './open-line-outbox';

/** Where a chat's operator messages are: the number that goes next, the missing one waited for. */
export interface OperatorChatState {
  next: number;
  gap: { since: number; awaited: number } | null;
}

/**
 * The order of one chat's operator messages to WhatsApp (issue 11 item 6): each gets a number at
 * the event door; message n goes only once n−1 was settled (sent, or refused with its note), so a
 * retried first message is never overtaken by the second, whatever process runs which.
 */
export class OperatorChatOrder {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
  ) {}

  /** Numbers an operator message at receipt (carried by job `jobId`); the same number for a repeated event. */
  async numberAtReceipt(memberId: string, chatKey: string, portalMessageId: string, jobId: string): Promise<number> {
    return asNumber(
      await run(
        this.redis,
        'open-line-number-2',
        [
          this.keys.openLineOperatorNumberOf(memberId, portalMessageId),
          this.keys.openLineOperatorOrder(memberId, chatKey),
        ],
        [NUMBER_TTL_S, ORDER_TTL_MS, jobId],
      ),
    );
  }

  async state(memberId: string, chatKey: string): Promise<OperatorChatState> {
    const [next, gap] = await this.redis.hmget(this.keys.openLineOperatorOrder(memberId, chatKey), 'next', 'gap');
    const [since, awaited] = (gap ?? '').split('|').map(Number);
    return {
      next: next ? Number(next) : 1,
      gap: gap && since !== undefined && awaited !== undefined ? { since, awaited } : null,
    };
  }

  /** The id of the job carrying number `n` while it is not settled (null: unknown, or settled). */
  async jobOf(memberId: string, chatKey: string, n: number): Promise<string | null> {
    return this.redis.hget(this.keys.openLineOperatorOrder(memberId, chatKey), `j:${n}`);
  }

  /** Notes since when the chat waits for `awaited` (its time-out runs from the first time it was seen missing). */
  async startGap(memberId: string, chatKey: string, awaited: number, since: number): Promise<void> {
    await this.redis.hset(this.keys.openLineOperatorOrder(memberId, chatKey), 'gap', `${since}|${awaited}`);
  }

  /**
   * Passes the missing number `awaited` after its gap time-out, atomically and once: the chat's next
   * number moves past it only if it still waits for it. Returns the chat's next number.
   */
  async passGap(memberId: string, chatKey: string, awaited: number): Promise<number> {
    return asNumber(
      await run(
        this.redis,
        'open-line-op-pass-1',
        [this.keys.openLineOperatorOrder(memberId, chatKey)],
        [awaited, ORDER_TTL_MS],
      ),
    );
  }

  /** Settles number `n`: the next one may go. Returns the chat's next number. */
  async settle(memberId: string, chatKey: string, n: number): Promise<number> {
    return asNumber(
      await run(
        this.redis,
        'open-line-op-settle-1',
        [this.keys.openLineOperatorOrder(memberId, chatKey)],
        [n, ORDER_TTL_MS],
      ),
    );
  }
}
