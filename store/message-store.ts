import { z } from 'zod';
import { randomId } from '../lib/hash';
import type { RedisClient } from '../redis/connect';
import type { RedisKeys } from '../redis/keys';
import { scripts } from '../redis/scripts';

const TTL_S = 30 * 86400;
/** A call's sent steps are kept a week: longer than any job's retries. */
const STEP_TTL_S = 7 * 86400;
/** How an in-flight mark starts: never a provider message id (Graph's start "wamid.", Green-API's are hex). */
const IN_FLIGHT = '?in-flight:';

/** What earlier attempts left for one send step of a call. */
export type SendStep =
  | { state: 'new' }
  | { state: 'sent'; messageId: string }
  /** An attempt marked the step and never recorded an answer (crash, time-out, 5xx): the message may have left. */
  | { state: 'maybe'; markedAt: number };

/** This attempt's in-flight mark on a send step, with what was there before it. */
export interface SendStepClaim {
  earlier: SendStep;
  mark: string;
  /** The mark this one replaced ('' = none): restored if the provider refuses outright. */
  earlierMark: string;
}

function readStep(value: string | null): SendStep {
  if (value === null) return { state: 'new' };
  if (!value.startsWith(IN_FLIGHT)) return { state: 'sent', messageId: value };
  return { state: 'maybe', markedAt: Number(value.slice(IN_FLIGHT.length).split(':')[0]) || 0 };
}

export const deliveryStatusSchema = z.enum(['sent', 'delivered', 'read', 'failed']);
export type DeliveryStatus = z.infer<typeof deliveryStatusSchema>;

/** A sent message as stored for status tracking and correlation. */
export const storedMessageSchema = z.object({
  memberId: z.string(),
  lineId: z.string().default(''),
  phone: z.string().default(''),
  /** The customer's WhatsApp id, when the provider reported one. */
  waId: z.string().optional(),
  providerMessageId: z.string(),
  callKey: z.string().default(''),
  workflowId: z.string().default(''),
  status: deliveryStatusSchema,
  sentAt: z.coerce.number().default(0),
  deliveredAt: z.coerce.number().optional(),
  readAt: z.coerce.number().optional(),
  failedAt: z.coerce.number().optional(),
  errorCode: z.string().optional(),
  waitId: z.string().optional(),
  /** '1' when the robot asked to show this message in the open-line chat. */
  showInChat: z.enum(['0', '1']).optional(),
});
export type StoredMessage = z.infer<typeof storedMessageSchema>;

/** Sent messages per portal: status history as timestamps, kept 30 days. */
export class MessageStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
  ) {}

  /** Records a sent message; a status that raced ahead of this (webhook first) is kept. */
  async recordSent(message: Omit<StoredMessage, 'status'>): Promise<void> {
    const key = this.keys.message(message.memberId, message.providerMessageId);
    const fields: Record<string, string> = {};
    for (const [k, v] of Object.entries(message)) if (v !== undefined) fields[k] = String(v);
    await this.redis.multi().hset(key, fields).hsetnx(key, 'status', 'sent').expire(key, TTL_S).exec();
  }

  async get(memberId: string, providerMessageId: string): Promise<StoredMessage | null> {
    const raw = await this.redis.hgetall(this.keys.message(memberId, providerMessageId));
    if (!raw.providerMessageId) return null;
    return storedMessageSchema.parse(raw);
  }

  /** Applies a status webhook atomically: statuses arrive out of order, so a later one never goes back. */
  async applyStatus(
    memberId: string,
    providerMessageId: string,
    status: DeliveryStatus,
    at: number,
    errorCode?: string,
  ): Promise<StoredMessage | null> {
    await scripts.applyMessageStatus(this.redis, this.keys.message(memberId, providerMessageId), {
      status,
      at,
      errorCode: errorCode ?? '',
      memberId,
      providerMessageId,
      ttlSec: TTL_S,
    });
    return this.get(memberId, providerMessageId);
  }

  /** Provider message id already sent for this call's step, if any (an in-flight mark is not one). */
  async sentStep(memberId: string, callKey: string, step: number | string): Promise<string | null> {
    const found = readStep(await this.redis.hget(this.keys.sentStep(memberId, callKey), String(step)));
    return found.state === 'sent' ? found.messageId : null;
  }

  /** What earlier attempts left for a send step (read only). */
  async sendStep(memberId: string, callKey: string, step: number): Promise<SendStep> {
    return readStep(await this.redis.hget(this.keys.sentStep(memberId, callKey), String(step)));
  }

  /**
   * Marks a send step in flight just before the provider call (one script: a concurrent attempt
   * sees either the mark or the recorded id). `rememberStep` replaces the mark with the message id.
   */
  async claimSendStep(memberId: string, callKey: string, step: number, now: number): Promise<SendStepClaim> {
    const mark = `${IN_FLIGHT}${now}:${randomId(6)}`;
    const { state, value } = await scripts.claimSendStep(this.redis, this.keys.sentStep(memberId, callKey), {
      step: String(step),
      mark,
      markPrefix: IN_FLIGHT,
      ttlSec: STEP_TTL_S,
    });
    const earlier: SendStep = state === 'new' ? { state } : readStep(value);
    return { earlier, mark, earlierMark: state === 'maybe' ? value : '' };
  }

  /** The provider refused the send outright (nothing left): takes this attempt's mark back. */
  async releaseSendStep(memberId: string, callKey: string, step: number, claim: SendStepClaim): Promise<void> {
    await scripts.releaseSendStep(this.redis, this.keys.sentStep(memberId, callKey), {
      step: String(step),
      mark: claim.mark,
      earlier: claim.earlierMark,
    });
  }

  async rememberStep(
    memberId: string,
    callKey: string,
    step: number | string,
    providerMessageId: string,
  ): Promise<void> {
    const key = this.keys.sentStep(memberId, callKey);
    await this.redis.multi().hset(key, String(step), providerMessageId).expire(key, STEP_TTL_S).exec();
  }
}
