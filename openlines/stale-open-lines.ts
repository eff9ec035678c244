import type { Logger } from '../lib/logger';
import { parseStoredJson } from '../lib/stored-json';
import type { ChatItem } from '../store/chat-item';
import { type Attachment, attachmentSchema, type OpenLineStore } from '../store/open-line-store';
import type { NoteChatDrop } from './chat-drops';
import type { ReadyItem } from './chat-order';
import { parseChatId } from './customer-item';

/**
 * The chat's WhatsApp line's attachment as the claim read it, with the items: null when the line
 * has none; undefined when not known (a record that does not parse): nothing is routed by it then.
 */
export type LineNow = Pick<Attachment, 'openLineId' | 'active'> | null | undefined;

/** Open lines of a chat's items the portal refused (NOT_ACTIVE_LINE) while the line served no switched-on one. */
export type RefusedOpenLines = Set<string>;

/** The attachment JSON a claim read (null: none), parsed; an unreadable one is logged and unknown. */
export function lineNowOf(raw: string | null, log: Logger, memberId: string, chatKey: string): LineNow {
  if (raw === null) return null;
  // Not JSON, or not an attachment: unknown as well.
  const parsed = parseStoredJson(attachmentSchema, raw);
  if (parsed) return parsed;
  log.warn(
    { memberId, chatKey },
    "the chat's line has an unreadable open-line attachment: its items are not re-routed",
  );
  return undefined;
}

/** The open line a chat item goes to through the connector (none: a skip marker, a note posted as a system line). */
export function connectorLineOf(item: ChatItem): string | undefined {
  if (item.kind === 'skip') return undefined;
  if (item.kind === 'note') return item.viaConnector?.openLineId;
  return item.openLineId;
}

/**
 * Where items queued for open line `from` go now: the switched-on open line the chat's line serves
 * (at once, before any refusal: a line moved 7 → 9, with 7 then given to another line, must not
 * put its old items in that line's chats); `from` itself while it is still the line's, switched
 * off in the app (the portal says whether it takes them; dropped once it refused), or while the
 * attachment is unknown; else null (dropped at once): the line was detached, or moved to an open
 * line that is switched off, so `from` is no longer its open line and may serve another line.
 */
export function targetOf(from: string, now: LineNow, refused: ReadonlySet<string>): string | null {
  if (now === undefined) return from;
  if (now?.active) return now.openLineId;
  if (now !== null && now.openLineId === from) return refused.has(from) ? null : from;
  return null;
}

/**
 * An item with its stale open line replaced: customer and business items go to the open line the
 * WhatsApp line serves now (same customer, same order); a note keeps its system line and posts
 * through the new open line when it must; a delivery confirms an operator message of the old
 * line's chat, which the new line does not have: dropped. Null: dropped.
 */
export function routeItem(item: ChatItem, now: LineNow, refused: ReadonlySet<string>): ChatItem | null {
  const from = connectorLineOf(item);
  if (from === undefined) return item;
  const to = targetOf(from, now, refused);
  if (to === from) return item;
  if (item.kind === 'note' && item.viaConnector) {
    if (to === null) return { kind: 'note', id: item.id, portalChatId: item.portalChatId, text: item.text };
    return { ...item, viaConnector: { ...item.viaConnector, openLineId: to } };
  }
  if (to === null || item.kind === 'delivery') return null;
  if (item.kind === 'customer' || item.kind === 'business') return { ...item, openLineId: to };
  return item;
}

/**
 * The ready items as they go now: `dropped`, the leading ones routed nowhere (settled without a
 * call); else `sendable`, the items up to the next dropped one, re-routed.
 */
export function routeReady(
  ready: ReadyItem[],
  now: LineNow,
  refused: ReadonlySet<string>,
): { dropped: ReadyItem[]; sendable: ReadyItem[] } {
  const routed = ready.map((r) => ({ ready: r, item: routeItem(r.item, now, refused) }));
  const firstKept = routed.findIndex((r) => r.item !== null);
  if (firstKept !== 0) return { dropped: ready.slice(0, firstKept === -1 ? ready.length : firstKept), sendable: [] };
  const end = routed.findIndex((r) => r.item === null);
  const kept = end === -1 ? routed : routed.slice(0, end);
  return { dropped: [], sendable: kept.map((r) => ({ ...r.ready, item: r.item ?? r.ready.item })) };
}

export interface StaleOpenLineDeps {
  openLines: Pick<OpenLineStore, 'forLine'>;
  log: Logger;
  noteChatDrop?: NoteChatDrop;
}

/**
 * After the portal refused `group`'s open line as not active (NOT_ACTIVE_LINE, openlines-wire.md
 * §3.1, trap 4), the line's attachment is read again: true when the open line is no longer the
 * line's switched-on one (moved: the next claim routes its items to the new one; detached or
 * switched off: `refused` learns it, the next claim drops them unless the line is on again). False:
 * still the line's (the portal's own side) or the attachment cannot be read: the chat waits, at
 * most the dispatcher's day.
 */
export async function leftOpenLine(
  deps: StaleOpenLineDeps,
  memberId: string,
  chatKey: string,
  group: ChatItem[],
  refused: RefusedOpenLines,
): Promise<boolean> {
  const openLineId = group[0] && connectorLineOf(group[0]);
  const lineId = parseChatId(chatKey)?.lineId;
  if (!openLineId || !lineId) return false;
  let attachment: Attachment | null;
  try {
    attachment = await deps.openLines.forLine(memberId, lineId);
  } catch (error) {
    deps.log.error(
      { memberId, chatKey, openLineId, err: error },
      "could not read the chat's line's attachment after a refusal: the chat waits (its items go after a day)",
    );
    return false;
  }
  if (attachment?.active && attachment.openLineId === openLineId) return false;
  const to = attachment?.active ? attachment.openLineId : null;
  if (to === null) refused.add(openLineId);
  deps.log.warn(
    { memberId, chatKey, openLineId, to },
    to === null
      ? "the portal refused an open line the chat's line no longer serves: its items are dropped"
      : "the portal refused an open line the chat's line no longer serves: its items follow the line",
  );
  return true;
}

/** Logs and notes items dropped (already settled) because their line left their open line. */
export async function noteLeftDrops(
  deps: StaleOpenLineDeps,
  memberId: string,
  chatKey: string,
  dropped: ReadyItem[],
): Promise<void> {
  deps.log.warn({ memberId, chatKey, count: dropped.length }, 'chat items dropped: the line left their open line');
  // A delivery confirms an operator message of the old chat: no message of the chat is lost with it.
  const messages = dropped.filter((r) => r.item.kind !== 'delivery').length;
  if (messages > 0) await deps.noteChatDrop?.(memberId, chatKey, messages, 'open_line_detached');
}
