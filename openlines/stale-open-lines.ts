import type { ChatItem } from '../store/chat-item';
import type { OpenLineStore } from '../store/open-line-store';
import type { ReadyItem } from './chat-order';
import { parseChatId } from './customer-item';

/**
 * Where a chat's items for an open line its WhatsApp line no longer serves go: the open line the
 * line serves now (`to`), or nowhere (null: detached, or switched off on the open line).
 */
export type StaleRoute = { to: string } | null;

/** Routes of a chat's stale open lines, by the open line its items were queued for. */
export type StaleRoutes = Map<string, StaleRoute>;

/** The open line a chat item goes to through the connector (none: a skip marker, a note posted as a system line). */
export function connectorLineOf(item: ChatItem): string | undefined {
  if (item.kind === 'skip') return undefined;
  if (item.kind === 'note') return item.viaConnector?.openLineId;
  return item.openLineId;
}

/**
 * After the portal refused open line `openLineId` as not active (NOT_ACTIVE_LINE, openlines-wire.md
 * §3.1, trap 4): `current` when the chat's WhatsApp line is still attached to it and switched on
 * (the portal's own side: the chat waits and is tried again), else the route of its items.
 */
export async function routeAfterNotActive(
  openLines: Pick<OpenLineStore, 'forLine'>,
  memberId: string,
  chatKey: string,
  openLineId: string,
): Promise<'current' | StaleRoute> {
  const lineId = parseChatId(chatKey)?.lineId;
  const attachment = lineId ? await openLines.forLine(memberId, lineId) : null;
  if (!attachment?.active) return null;
  return attachment.openLineId === openLineId ? 'current' : { to: attachment.openLineId };
}

/** The open line `openLineId`'s items go to now (itself when not stale), or null (dropped). */
function resolve(routes: StaleRoutes, openLineId: string): string | null {
  let id = openLineId;
  // A line moved again (7 → 9 → 11) while its old items waited: followed, at most once per route.
  for (let hops = 0; hops <= routes.size; hops += 1) {
    const route = routes.get(id);
    if (route === undefined) return id;
    if (route === null) return null;
    id = route.to;
  }
  return null;
}

/**
 * An item with its stale open line replaced: customer and business items go to the open line the
 * WhatsApp line serves now (same customer, same order); a note keeps its system line and posts
 * through the new open line when it must; a delivery confirms an operator message of the old
 * line's chat, which the new line does not have: dropped. Null: dropped.
 */
export function routeItem(item: ChatItem, routes: StaleRoutes): ChatItem | null {
  const from = connectorLineOf(item);
  if (from === undefined || routes.size === 0) return item;
  const to = resolve(routes, from);
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
 * The ready items as they go now: `dropped`, the leading ones of an open line that has no route
 * (settled without a call); else `sendable`, the items up to the next dropped one, re-routed.
 */
export function routeReady(ready: ReadyItem[], routes: StaleRoutes): { dropped: ReadyItem[]; sendable: ReadyItem[] } {
  const routed = ready.map((r) => ({ ready: r, item: routeItem(r.item, routes) }));
  const firstKept = routed.findIndex((r) => r.item !== null);
  if (firstKept !== 0) return { dropped: ready.slice(0, firstKept === -1 ? ready.length : firstKept), sendable: [] };
  const end = routed.findIndex((r) => r.item === null);
  const kept = end === -1 ? routed : routed.slice(0, end);
  return { dropped: [], sendable: kept.map((r) => ({ ...r.ready, item: r.item ?? r.ready.item })) };
}
