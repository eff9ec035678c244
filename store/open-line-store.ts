import { z } from 'zod';
import { AppError } from '../lib/errors/app-error';
import { parseStoredJson } from '../lib/stored-json';
import type { RedisClient } from '../redis/connect';
import type { RedisKeys } from '../redis/keys';
import { run, scripts } from '../redis/scripts';
import { claimCheckRequeueSlot, type RequeuePeriods, writeCheckAnswer } from './check-requeue-slots';

/** A WhatsApp line attached to a Bitrix24 open line (one WhatsApp line serves one open line, and back). */
export const attachmentSchema = z.object({
  lineId: z.string().min(1),
  /** The open line's id (Bitrix24 `LINE`, digits). */
  openLineId: z.string().regex(/^[1-9][0-9]*$/),
  /** Also relay customer messages a robot's wait took (they are the robot's answer otherwise). */
  relayTaken: z.boolean().default(false),
  /**
   * False once the portal switched the connector off on the open line (ONIMCONNECTORSTATUSDELETE):
   * nothing is relayed there and a re-install does not switch it back on; attaching again does.
   */
  active: z.boolean().default(true),
  attachedAt: z.number(),
  /**
   * Bumped by each ONIMCONNECTORSTATUSDELETE for this open line: the number of its newest check
   * (openlines/confirm-switch-off.ts). Only that check may write `active`; an older one is superseded.
   * Absent: no event yet (0).
   */
  checkSeq: z.number().int().nonnegative().optional(),
  /**
   * The number of the last check that wrote its answer (on or off). Behind `checkSeq` with no check
   * waiting or running: that check was lost, and the maintenance sweep queues it again. Absent: 0.
   */
  settledSeq: z.number().int().nonnegative().optional(),
});
export type Attachment = z.infer<typeof attachmentSchema>;

/** A stored attachment's JSON parsed (null: none); a record that does not parse throws. */
export function parseAttachment(raw: string | null): Attachment | null {
  return raw === null ? null : attachmentSchema.parse(JSON.parse(raw));
}

/** A stored attachment's JSON parsed, or null when it does not parse (a leftover of an older schema). */
function attachmentOrNull(raw: string): Attachment | null {
  return parseStoredJson(attachmentSchema, raw);
}

/** open-line-attachment-2's reply: the config version and the attachment's JSON, each nil (null) when missing. */
const attachmentReplySchema = z.tuple([z.string().nullable(), z.string().nullable()]);

/** A line's attachment (parsed when asked for) and its portal's config version (null: none stored). */
export interface AttachmentWithVersion {
  version: string | null;
  attachment(): Attachment | null;
}

/** The chat an operator message went out from (kept for a later `failed` status of its WhatsApp id). */
export const sentRefSchema = z.object({ openLineId: z.string(), chatId: z.string(), portalChatId: z.string() });
export type SentRef = z.infer<typeof sentRefSchema>;

/** What a switch-off check's answer did to the attachment (settleSwitchOffCheck). */
export type SettleOutcome = 'switched' | 'as-is' | 'superseded' | 'changed';

/** The open line already serves another WhatsApp line. */
export class OpenLineTakenError extends Error {
  constructor(
    readonly openLineId: string,
    readonly byLineId: string,
  ) {
    super(`open line ${openLineId} already serves WhatsApp line ${byLineId}`);
  }
}

/** Which WhatsApp line serves which open line, and the portal's chat ids of customers' chats. */
export class OpenLineStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
  ) {}

  /**
   * Stores an attachment; refuses an open line another WhatsApp line serves. Answers the line's
   * attachment it replaced, read in the same transaction (null: none, or a record that does not
   * parse): a switch-off check numbered or written on it since the caller read it is seen there.
   * The line's count of check re-queues goes in the same transaction: the new attachment's lost
   * checks start at the first period (store/check-requeue-slots.ts).
   */
  async attach(memberId: string, attachment: Attachment): Promise<Attachment | null> {
    const parsed = attachmentSchema.parse(attachment);
    const other = (await this.list(memberId)).find(
      (a) => a.openLineId === parsed.openLineId && a.lineId !== parsed.lineId,
    );
    if (other) throw new OpenLineTakenError(parsed.openLineId, other.lineId);
    const key = this.keys.openLineAttachments(memberId);
    const replies = await this.redis
      .multi()
      .hget(key, parsed.lineId)
      .hset(key, parsed.lineId, JSON.stringify(parsed))
      .hdel(this.keys.openLineCheckRequeues(memberId), this.keys.openLineCheckRequeueCountField(parsed.lineId))
      .exec();
    const [read, written] = replies ?? [];
    if (!read || !written || read[0] || written[0])
      throw new AppError('internal_error', 'open-line attach: the transaction was not run');
    return typeof read[1] === 'string' ? attachmentOrNull(read[1]) : null;
  }

  /**
   * Marks the attachment of an open line switched off (or on); false when no WhatsApp line serves
   * it. Only tests call it now, to put an attachment in a state (a switch-off event writes through
   * settleSwitchOffCheck). Written only while the record read still stands (compare-and-set): a
   * write for a line's old open line, made while the line moves, must not overwrite its new
   * attachment, nor bring back a detached one.
   */
  async setActive(memberId: string, openLineId: string, active: boolean): Promise<boolean> {
    return typeof (await this.swapOfOpenLine(memberId, openLineId, (a) => ({ ...a, active }))) === 'object';
  }

  /**
   * The portal switched the connector off on an open line (ONIMCONNECTORSTATUSDELETE): its
   * attachment's check sequence is bumped (compare-and-set, `active` untouched) and the attachment
   * so written is answered, its `checkSeq` naming the check to queue; null when no WhatsApp line
   * serves that open line.
   */
  async nextSwitchOffCheck(memberId: string, openLineId: string): Promise<Attachment | null> {
    const outcome = await this.swapOfOpenLine(memberId, openLineId, (a) => ({ ...a, checkSeq: (a.checkSeq ?? 0) + 1 }));
    return typeof outcome === 'object' ? outcome : null;
  }

  /**
   * A switch-off check's answer: `active` written (one compare-and-set on the record read) only
   * while the attachment is still `check`'s (same line, open line and attachedAt) and its
   * `checkSeq` is still `check.seq`, with `settledSeq` set to it. `superseded`: a newer event's
   * check decides; `changed`: the attachment was detached or replaced; `switched`: written;
   * `as-is`: it already was so. Written or as-is, its count of re-queues is deleted in the same
   * script (check-settle-2): the next re-queue waits the first period (claimCheckRequeue).
   */
  async settleSwitchOffCheck(
    memberId: string,
    check: Pick<Attachment, 'lineId' | 'openLineId' | 'attachedAt'> & { seq: number },
    active: boolean,
  ): Promise<SettleOutcome> {
    for (let attempt = 0; attempt < 5; attempt += 1) {
      const found = await this.rawOfOpenLine(memberId, check.openLineId);
      if (!found) return 'changed';
      const a = found.attachment;
      if (a.lineId !== check.lineId || a.attachedAt !== check.attachedAt) return 'changed';
      if ((a.checkSeq ?? 0) !== check.seq) return 'superseded';
      const outcome = a.active !== active ? 'switched' : 'as-is';
      // The number settled is written too (the sweep's mark); a record already so is only compared.
      const written = outcome === 'switched' || (a.settledSeq ?? 0) !== check.seq;
      const next = written ? JSON.stringify({ ...a, active, settledSeq: check.seq }) : '';
      if (await writeCheckAnswer(this.redis, this.keys, memberId, { lineId: a.lineId, read: found.raw, next }))
        return outcome;
    }
    throw keptChanging(check.openLineId);
  }

  /**
   * Writes `change` of the attachment serving an open line while the record read still stands
   * (compare-and-set) and answers what was written; `change` answering null keeps it as it is.
   */
  private async swapOfOpenLine(
    memberId: string,
    openLineId: string,
    change: (attachment: Attachment) => Attachment | null,
  ): Promise<Attachment | 'kept' | 'none'> {
    const key = this.keys.openLineAttachments(memberId);
    for (let attempt = 0; attempt < 5; attempt += 1) {
      const found = await this.rawOfOpenLine(memberId, openLineId);
      if (!found) return 'none';
      const changed = change(found.attachment);
      if (changed === null) return 'kept';
      const updated = JSON.stringify(changed);
      if (await scripts.swapHashField(this.redis, key, found.attachment.lineId, found.raw, updated)) return changed;
    }
    throw keptChanging(openLineId);
  }

  /** The attachment serving an open line, with its stored JSON (what setActive compares). */
  protected async rawOfOpenLine(
    memberId: string,
    openLineId: string,
  ): Promise<{ raw: string; attachment: Attachment } | null> {
    for (const raw of await this.redis.hvals(this.keys.openLineAttachments(memberId))) {
      const attachment = attachmentSchema.parse(JSON.parse(raw));
      if (attachment.openLineId === openLineId) return { raw, attachment };
    }
    return null;
  }

  /** Removes the line's attachment, and its count of check re-queues in the same transaction. */
  async detach(memberId: string, lineId: string): Promise<boolean> {
    const replies = await this.redis
      .multi()
      .hdel(this.keys.openLineAttachments(memberId), lineId)
      .hdel(this.keys.openLineCheckRequeues(memberId), this.keys.openLineCheckRequeueCountField(lineId))
      .exec();
    const [removed] = replies ?? [];
    if (!removed || removed[0]) throw new AppError('internal_error', 'open-line detach: the transaction was not run');
    return Number(removed[1]) > 0;
  }

  async forLine(memberId: string, lineId: string): Promise<Attachment | null> {
    return parseAttachment(await this.redis.hget(this.keys.openLineAttachments(memberId), lineId));
  }

  /**
   * forLine, and the portal's config version read in the same round trip (one script: an EVALSHA
   * costs the web process less than a pipeline of the two reads; the webhook door finds the line
   * under that version, see LineStore.rememberedOwner). Null: no version stored. The attachment is
   * parsed only when asked for: a caller that finds the route stale never parses a record that is
   * not its line's (a leftover of an older schema must not fail another line's message).
   */
  async forLineWithVersion(memberId: string, lineId: string): Promise<AttachmentWithVersion> {
    const reply = await run(
      this.redis,
      'open-line-attachment-2',
      [this.keys.configVersion(memberId), this.keys.openLineAttachments(memberId)],
      [lineId],
    );
    const parsed = attachmentReplySchema.safeParse(reply);
    if (!parsed.success) throw new Error(`open-line-attachment-2: unexpected reply ${JSON.stringify(reply)}`);
    const [version, raw] = parsed.data;
    return { version, attachment: () => parseAttachment(raw) };
  }

  async forOpenLine(memberId: string, openLineId: string): Promise<Attachment | null> {
    return (await this.list(memberId)).find((a) => a.openLineId === openLineId) ?? null;
  }

  async list(memberId: string): Promise<Attachment[]> {
    const all = await this.redis.hvals(this.keys.openLineAttachments(memberId));
    return all.map((raw) => attachmentSchema.parse(JSON.parse(raw)));
  }

  /** The portal's attachments that parse, and how many records did not (a leftover of an older schema). */
  async listParsable(memberId: string): Promise<{ attachments: Attachment[]; unparsable: number }> {
    const all = (await this.redis.hvals(this.keys.openLineAttachments(memberId))).map(attachmentOrNull);
    const attachments = all.filter((a): a is Attachment => a !== null);
    return { attachments, unparsable: all.length - attachments.length };
  }

  /** Takes the slot of queuing `attachment`'s switch-off check again (store/check-requeue-slots.ts). */
  async claimCheckRequeue(
    memberId: string,
    attachment: Pick<Attachment, 'lineId' | 'openLineId'>,
    nowMs: number,
    periods: RequeuePeriods,
  ): Promise<boolean> {
    return claimCheckRequeueSlot(this.redis, this.keys, memberId, attachment, nowMs, periods);
  }

  /** The portal's CHAT_ID of a customer's chat, learnt from send.messages. */
  async chatIdOf(memberId: string, openLineId: string, chatId: string): Promise<string | null> {
    return this.redis.hget(this.keys.openLineChats(memberId), `${openLineId}|${chatId}`);
  }

  async rememberChat(memberId: string, openLineId: string, chatId: string, portalChatId: string): Promise<void> {
    await this.redis.hset(this.keys.openLineChats(memberId), `${openLineId}|${chatId}`, portalChatId);
  }

  /**
   * Marks a line posted as the employee: its echo event must not be sent to WhatsApp. Marks count
   * (a list): two identical texts posted within the hour each absorb one echo; `confirmId` is what
   * the echo is confirmed to the chat with (the robot message's WhatsApp id).
   */
  async markEcho(memberId: string, echoId: string, confirmId: string, ttlSec = 3600): Promise<void> {
    const key = this.keys.openLineEcho(memberId, echoId);
    await this.redis.multi().rpush(key, confirmId).expire(key, ttlSec).exec();
  }

  /** The confirm id of one mark (taken) when the operator event is an echo, else null. */
  async takeEcho(memberId: string, echoId: string): Promise<string | null> {
    return this.redis.lpop(this.keys.openLineEcho(memberId, echoId));
  }

  /** Remembers the chat of an operator message sent to WhatsApp (statuses of it come within a day or two). */
  async rememberSent(memberId: string, providerMessageId: string, ref: SentRef, ttlSec = 3 * 86400): Promise<void> {
    const value = JSON.stringify(sentRefSchema.parse(ref));
    await this.redis.set(this.keys.openLineSent(memberId, providerMessageId), value, 'EX', ttlSec);
  }

  /** The chat an operator message went out from, or null (not an operator message, or long ago). */
  async sentRefOf(memberId: string, providerMessageId: string): Promise<SentRef | null> {
    const raw = await this.redis.get(this.keys.openLineSent(memberId, providerMessageId));
    return raw === null ? null : sentRefSchema.parse(JSON.parse(raw));
  }
}

/** A compare-and-set that kept finding the attachment rewritten meanwhile: retryable. */
function keptChanging(openLineId: string): AppError {
  return new AppError('open_line_changing', `the attachment of open line ${openLineId} kept changing; try again`, {
    retryable: true,
  });
}
