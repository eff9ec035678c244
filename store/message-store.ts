import { z } from 'zod';
import { randomId } from '../lib/hash';
import type { RedisClient } from '../redis/connect';
import type { RedisKeys } from '../redis/keys';
import { scripts } from '../redis/scripts';
import type { RecentSendNote } from './activity-log';

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

/** A step as the call's sent-step hash holds it (`value`: the field, null when absent). */
export function readStep(value: string | null): SendStep {
  if (value === null) return { state: 'new' };
  if (!value.startsWith(IN_FLIGHT)) return { state: 'sent', messageId: value };
  return { state: 'maybe', markedAt: Number(value.slice(IN_FLIGHT.length).split(':')[0]) || 0 };
}

/** The one field of a stored wait the send steps read: the message it holds (stored-wait.ts writes it). */
const waitMessageSchema = z.object({ m: z.string().optional() });

export const deliveryStatusSchema = z.enum(['sent', 'delivered', 'read', 'failed']);
export type DeliveryStatus = z.infer<typeof deliveryStatusSchema>;

/** A sent message as read back for status tracking and correlation. */
export const storedMessageSchema = z.object({
  memberId: z.string(),
  /** Only in records of older releases (nothing reads them): '' otherwise. */
  lineId: z.string().default(''),
  phone: z.string().default(''),
  /** The customer's WhatsApp id, when the provider reported one other than the number sent to. */
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
  /** The late-fallback template saved for a 131047 after acceptance (window-fallbacks.ts), when the status handler owns it. */
  fallbackRef: z.string().optional(),
  /** Only in records of older releases. */
  showInChat: z.enum(['0', '1']).optional(),
});
export type StoredMessage = z.infer<typeof storedMessageSchema>;

const statusRank: Record<DeliveryStatus, number> = { sent: 0, delivered: 1, read: 2, failed: 3 };

/**
 * The stored record (a small hash, see send-record-5.lua): `s` status, `t`/`d`/`r`/`f` the time of
 * each status (ms), `e` the failure's error code, `w` the wait, `wa` the customer's wa_id. The key
 * carries the portal and the message id. Records of older releases use long names (`status`,
 * `sentAt`, …): both are read, the further status wins.
 */
function fromRecord(memberId: string, providerMessageId: string, raw: Record<string, string>): StoredMessage | null {
  const short = raw.s ? deliveryStatusSchema.parse(raw.s) : undefined;
  const long = raw.status ? deliveryStatusSchema.parse(raw.status) : undefined;
  const status = [short, long].reduce<DeliveryStatus | undefined>(
    (best, s) => (s && (!best || statusRank[s] > statusRank[best]) ? s : best),
    undefined,
  );
  if (!status) return null;
  return storedMessageSchema.parse({
    ...raw,
    memberId,
    providerMessageId,
    status,
    waId: raw.wa ?? raw.waId,
    sentAt: raw.t ?? raw.sentAt,
    deliveredAt: raw.d ?? raw.deliveredAt,
    readAt: raw.r ?? raw.readAt,
    failedAt: raw.f ?? raw.failedAt,
    errorCode: raw.e ?? raw.errorCode,
    waitId: raw.w ?? raw.waitId,
    fallbackRef: raw.fb,
  });
}

/** A send the provider answered, as `recordSend` stores it. */
export interface SentRecord {
  memberId: string;
  callKey: string;
  step: number;
  providerMessageId: string;
  /** The number sent to and the wa_id the provider answered with (kept only when they differ). */
  phone: string;
  waId?: string;
  sentAt: number;
  /** The wait the message belongs to: it holds the step and points at the message (one step). */
  wait?: { id: string; patchJson: string; aliasField: string };
  /** The late-fallback template saved before the send (see send-record-5.lua). */
  fallbackRef?: string;
  /** The send's entry for the settings page's recent sends (`recentSends` of keys.ts), pushed in the same step (ActivityLog.sentNote). */
  recent?: RecentSendNote;
  /** Told why the recent-sends push failed: only a page's list, so it never fails the record (a warning). */
  onRecentFailed?: (reason: string) => void;
}

/** Sent messages per portal: status history as timestamps, kept 30 days. */
export class MessageStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
  ) {}

  /**
   * Records what a send left in one round trip: the step's message id (in the wait when it has
   * one), the message record and the wait's link. Returns the message's status ('sent' unless a
   * status webhook got there first: the caller applies it to the wait).
   */
  async recordSend(sent: SentRecord): Promise<DeliveryStatus> {
    const { memberId, wait } = sent;
    const waId = sent.waId && sent.waId !== sent.phone ? sent.waId : '';
    const { status, recentError } = await scripts.recordSend(
      this.redis,
      {
        step: this.keys.sentStep(memberId, sent.callKey),
        message: this.keys.message(memberId, sent.providerMessageId),
        wait: this.keys.wait(memberId, wait?.id ?? '-'),
        index: this.keys.waitIndex(memberId),
        // Left alone by the script when nothing is noted.
        recent: this.keys.recentSends(memberId),
      },
      {
        step: String(sent.step),
        messageId: sent.providerMessageId,
        stepTtlSec: STEP_TTL_S,
        sentAt: sent.sentAt,
        waId,
        messageTtlSec: TTL_S,
        waitId: wait?.id ?? '',
        waitPatchJson: wait?.patchJson ?? '{}',
        aliasField: waId ? (wait?.aliasField ?? '') : '',
        fallbackRef: sent.fallbackRef ?? '',
        waitField: this.keys.waitIndexWaitField(wait?.id ?? '-'),
        confirmed: sent.waId === sent.phone,
        recentEntry: sent.recent?.entry ?? '',
        recentKeep: sent.recent?.keep ?? 0,
        recentTtlSec: sent.recent?.ttlSec ?? 0,
      },
    );
    if (recentError) sent.onRecentFailed?.(recentError);
    return deliveryStatusSchema.parse(status);
  }

  async get(memberId: string, providerMessageId: string): Promise<StoredMessage | null> {
    const raw = await this.redis.hgetall(this.keys.message(memberId, providerMessageId));
    return fromRecord(memberId, providerMessageId, raw);
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
      ttlSec: TTL_S,
    });
    return this.get(memberId, providerMessageId);
  }

  /**
   * Every step the call's sent-step hash holds, in one read (a call keeps a few: send steps, `op<n>`,
   * decisions, the recipient): for `readStep`, when one attempt reads several of them.
   */
  async callSteps(memberId: string, callKey: string): Promise<Record<string, string>> {
    return this.redis.hgetall(this.keys.sentStep(memberId, callKey));
  }

  /** Provider message id already sent for this call's step, if any (an in-flight mark is not one). */
  async sentStep(memberId: string, callKey: string, step: number | string): Promise<string | null> {
    const found = readStep(await this.redis.hget(this.keys.sentStep(memberId, callKey), String(step)));
    return found.state === 'sent' ? found.messageId : null;
  }

  /**
   * What earlier attempts left for a send step (read only). `waitId`: the wait that holds the
   * step once its message is recorded (send-record-5.lua), looked at in the same round trip.
   */
  async sendStep(memberId: string, callKey: string, step: number, waitId = ''): Promise<SendStep> {
    if (!waitId) return readStep(await this.redis.hget(this.keys.sentStep(memberId, callKey), String(step)));
    const replies = await this.redis
      .multi()
      .hget(this.keys.sentStep(memberId, callKey), String(step))
      .hget(this.keys.waitIndex(memberId), this.keys.waitIndexWaitField(waitId))
      .get(this.keys.wait(memberId, waitId))
      .exec();
    const [field, open, ended] = (replies ?? []).map(([error, reply]) => {
      if (error) throw error;
      return typeof reply === 'string' ? reply : null;
    });
    // An open wait is a field of the wait index, an ended one its own key (lib/wait-record.lua).
    const wait = open ?? ended;
    const held = wait ? waitMessageSchema.parse(JSON.parse(wait)).m : undefined;
    return held ? { state: 'sent', messageId: held } : readStep(field ?? null);
  }

  /**
   * Marks a send step in flight just before the provider call (one script: a concurrent attempt
   * sees either the mark or the recorded id). `rememberStep` replaces the mark with the message id.
   */
  async claimSendStep(
    memberId: string,
    callKey: string,
    step: number,
    now: number,
    waitId = '',
  ): Promise<SendStepClaim> {
    const mark = `${IN_FLIGHT}${now}:${randomId(6)}`;
    const keys = {
      step: this.keys.sentStep(memberId, callKey),
      wait: this.keys.wait(memberId, waitId || '-'),
      index: this.keys.waitIndex(memberId),
    };
    const { state, value } = await scripts.claimSendStep(this.redis, keys, {
      step: String(step),
      mark,
      markPrefix: IN_FLIGHT,
      ttlSec: STEP_TTL_S,
      waitHoldsStep: waitId !== '',
      waitField: this.keys.waitIndexWaitField(waitId || '-'),
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
