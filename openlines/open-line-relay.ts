import type { Clock } from '../lib/clock';
import { AppError } from '../lib/errors/app-error';
import { type ErrorCode, errorText, isErrorCode } from '../lib/errors/error-codes';
import { t } from '../lib/i18n/catalogue';
import type { Logger } from '../lib/logger';
import { mapCloudApiError } from '../providers/cloud-api/cloud-api-errors';
import type { InboundStatus } from '../providers/inbound-message';
import type { OrdinaryMessage, OrdinaryMessages } from '../store/inbound-stream';
import type { Line, LineStore } from '../store/line-store';
import type { ChatItem, OpenLineOutbox } from '../store/open-line-outbox';
import { type Attachment, type OpenLineStore, parseAttachment } from '../store/open-line-store';
import { type PortalStore, portalLanguage } from '../store/portal-store';
import { chatIdOf, customerParts, mediaOf, noteViaConnector, textOf } from './customer-item';

/** What relaying customers' messages to the open-line chat uses. */
export interface OpenLineRelayDeps {
  stream: Pick<OrdinaryMessages, 'append'>;
  openLines: Pick<OpenLineStore, 'forLine' | 'sentRefOf'>;
  outbox: Pick<OpenLineOutbox, 'enqueue' | 'enqueueForLine' | 'skipForLine'>;
  lines: Pick<LineStore, 'get'>;
  portals: Pick<PortalStore, 'get'>;
  clock: Clock;
  log: Logger;
}

/** A line's open-line attachment, read ahead by a caller (beside its other reads: one round trip less). */
export type AttachmentRead = Promise<Attachment | null>;

/** How many times a message reads its line's attachment anew when it changed under it. */
const MAX_READS = 3;

const asErrorCode = (code: string): ErrorCode => (isErrorCode(code) ? code : 'provider_error');

function parseRaw(raw: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(raw);
    return value && typeof value === 'object' ? { ...value } : {};
  } catch {
    return {};
  }
}

/**
 * Customers' messages on an attached line go to its open-line chat (queued per chat, in arrival
 * order, once per message id): those no wait took, and — when the line says so — those a wait took.
 * `append` keeps the old contract of the ordinary-message sink (the stream), so the inbound
 * processor and the wait service (late replies, replies lost to a stage move) feed it unchanged.
 */
export function createOpenLineRelay(deps: OpenLineRelayDeps) {
  /**
   * A numbered message not shown in its chat still settles its number: the chat's later messages
   * do not wait for it (a skip marker in the chat's queue).
   */
  async function skip(memberId: string, message: OrdinaryMessage): Promise<false> {
    if (message.seq !== undefined && message.from) {
      const chatKey = chatIdOf(message.from, message.line);
      const item = { kind: 'skip' as const, id: message.id, seq: message.seq };
      await deps.outbox.enqueue(memberId, chatKey, item, message.receivedAt ?? deps.clock.now());
    }
    return false;
  }

  /**
   * A message its line was read not to relay (`attachment`: detached, switched off, a taken reply
   * not relayed). A numbered one's skip marker is queued only while that is still so (checked in the
   * queueing step, no extra round trip); an unnumbered one writes nothing, but when its line has an
   * attachment read ahead by a caller (`fresh` false: switched off, or a taken reply the line does
   * not relay), it is read once more. `changed`: read it again and decide again.
   */
  async function skipUnlessRelayable(
    memberId: string,
    message: OrdinaryMessage,
    attachment: Attachment | null,
    taken: boolean,
    fresh: boolean,
  ): Promise<'repeat' | 'changed'> {
    if (message.seq !== undefined && message.from) {
      const chatKey = chatIdOf(message.from, message.line);
      const item = { kind: 'skip' as const, id: message.id, seq: message.seq };
      const at = message.receivedAt ?? deps.clock.now();
      const onLine = { lineId: message.line, taken };
      return (await deps.outbox.skipForLine(memberId, chatKey, item, at, onLine)) === 'changed' ? 'changed' : 'repeat';
    }
    // Read ahead by a caller, before its wait work (a taken reply: the stage read): read once more
    // when the line had an attachment then. A line with none (most lines) costs a taken reply no
    // round trip more after its wait ended (test/integration/reply-round-trips.test.ts): one
    // attached meanwhile gets the next reply. An ordinary message's read is the stream append's
    // own, after the wait work (fresh, in the same round trip): it follows any attach.
    return attachment && !fresh ? 'changed' : 'repeat';
  }

  /** The chat item of a customer message for open line `openLineId`; null when its line or portal is gone. */
  async function customerItem(
    memberId: string,
    message: OrdinaryMessage,
    openLineId: string,
    taken: boolean,
  ): Promise<Extract<ChatItem, { kind: 'customer' }> | null> {
    const [line, portal] = await Promise.all([deps.lines.get(memberId, message.line), deps.portals.get(memberId)]);
    if (!line || !portal || !message.from) return null;
    const lang = portalLanguage(portal);
    const raw = parseRaw(message.raw);
    const now = deps.clock.now();
    const media = mediaOf(raw);
    let text: string;
    let mediaPart: Extract<ChatItem, { kind: 'customer' }>['media'];
    if (media && line.provider === 'cloud') {
      const notShown = t(lang, 'openlines.fileNotShown', { type: media.type });
      const fallbackText = media.caption ? `${media.caption}\n${notShown}` : notShown;
      mediaPart = { lineId: line.id, mediaId: media.mediaId, name: media.name, fallbackText };
      text = media.caption ?? '';
    } else if (media) {
      text = media.caption ?? t(lang, 'openlines.mediaUnavailable', { type: media.type });
    } else {
      // A full message (the webhook's) is rendered by type; a late reply carries its text only.
      text = typeof raw.type === 'string' ? textOf(raw, lang) : message.text;
    }
    const seconds = Number(raw.timestamp);
    return {
      kind: 'customer',
      id: message.id,
      openLineId,
      ...(message.seq === undefined ? {} : { seq: message.seq }),
      ...customerParts(message.from, line.id, message.name),
      message: {
        id: message.id,
        date: Number.isFinite(seconds) && seconds > 0 ? seconds : Math.floor(now / 1000),
        ...(text ? { text } : {}),
        // The robot's wait took it: no second lead from the chat's CRM tracker.
        ...(taken ? { disable_crm: 'Y' as const } : {}),
      },
      ...(mediaPart ? { media: mediaPart } : {}),
    };
  }

  /**
   * `attached`: the attachment as the caller read it, maybe seconds ago (a reply's stage read, a
   * re-ask send). The queueing step checks it is still so, whichever way it decided: when it changed
   * (detached, moved to another open line, switched off; or attached, switched on), it is read again
   * and the message follows it.
   */
  async function relay(
    memberId: string,
    message: OrdinaryMessage,
    taken: boolean,
    attached?: AttachmentRead,
    // Read just before the decision (here, or in the caller's last step), not ahead by a caller.
    freshRead = attached === undefined,
  ): Promise<boolean> {
    let read = attached ?? deps.openLines.forLine(memberId, message.line);
    let fresh = freshRead;
    for (let reads = 1; ; reads += 1) {
      const attachment = await read;
      // Switched off on the open line (or a taken reply the line does not relay): the stream only.
      const outcome =
        attachment?.active && (!taken || attachment.relayTaken)
          ? await queue(memberId, message, attachment.openLineId, taken)
          : await skipUnlessRelayable(memberId, message, attachment, taken, fresh);
      if (outcome !== 'changed') {
        if (outcome === 'queued')
          deps.log.debug({ memberId, line: message.line, id: message.id }, 'customer message queued for the open line');
        return outcome === 'queued';
      }
      // An admin changing it again and again: the job tries later rather than spin.
      if (reads >= MAX_READS)
        throw new AppError('open_line_changing', "the line's open-line attachment kept changing; try again", {
          retryable: true,
        });
      read = deps.openLines.forLine(memberId, message.line);
      fresh = true;
    }
  }

  /** Queues the message for open line `openLineId` while its line is still attached to it there. */
  async function queue(
    memberId: string,
    message: OrdinaryMessage,
    openLineId: string,
    taken: boolean,
  ): Promise<'queued' | 'repeat' | 'changed'> {
    const item = await customerItem(memberId, message, openLineId, taken);
    if (!item) return skip(memberId, message).then(() => 'repeat' as const);
    const at = message.receivedAt ?? deps.clock.now();
    return deps.outbox.enqueueForLine(memberId, item, at, { lineId: message.line, taken });
  }

  return {
    /**
     * The open-line attachment of a message's line, for `append` or `taken` (`attached`): a caller
     * that will hand the message on reads it beside its own first reads, not after them.
     */
    attachmentOf(memberId: string, lineId: string): AttachmentRead {
      return deps.openLines.forLine(memberId, lineId);
    },
    /**
     * An ordinary message (no wait took it): kept in the stream and shown in the chat; `subscribed`
     * as the stream's. Decided on its line's attachment as the append read it: after the job's wait
     * work (a line attached or switched on meanwhile gets the message), in the same round trip.
     */
    async append(memberId: string, message: OrdinaryMessage): Promise<{ subscribed: boolean }> {
      const kept = await deps.stream.append(memberId, message);
      await relay(memberId, message, false, Promise.resolve(parseAttachment(kept.lineAttachment)), true);
      return { subscribed: kept.subscribed };
    },
    /**
     * A `failed` status of an operator message (WhatsApp refused it after accepting it, usually
     * 131047: the 24-hour window closed; whatsapp-wire.md §4.2): a note with the reason and the
     * advice in its chat, since the chat was already told it was delivered.
     */
    async onStatus(line: Line, status: InboundStatus): Promise<void> {
      if (status.status !== 'failed') return;
      const ref = await deps.openLines.sentRefOf(line.memberId, status.id);
      if (!ref) return;
      const portal = await deps.portals.get(line.memberId);
      if (!portal) return;
      const lang = portalLanguage(portal);
      const error = status.errors?.[0];
      const code: ErrorCode =
        line.provider === 'cloud' && error?.code !== undefined
          ? asErrorCode(mapCloudApiError(Number(error.code), error.title ?? '').code)
          : 'provider_error';
      await deps.outbox.enqueue(line.memberId, ref.chatId, {
        kind: 'note',
        id: `failed:${status.id}`,
        portalChatId: ref.portalChatId,
        text: t(lang, 'openlines.notSent', { reason: errorText(code, lang) }),
        ...noteViaConnector(ref.openLineId, ref.chatId, portal.userId),
      });
    },
    /** A message a wait took: shown in the chat when the line's option says so. */
    async taken(memberId: string, message: OrdinaryMessage, attached?: AttachmentRead): Promise<void> {
      await relay(memberId, message, true, attached);
    },
  };
}

export type OpenLineRelay = ReturnType<typeof createOpenLineRelay>;
