import type { ReadyItem } from '../../../openlines/chat-order';
import { routeItem, routeReady, type StaleRoutes } from '../../../openlines/stale-open-lines';
import type { ChatItem } from '../../../store/open-line-outbox';

const user = { id: '7999', name: 'Anna' };
const customer = (id: string, openLineId: string): ChatItem => ({
  kind: 'customer',
  id,
  openLineId,
  user,
  message: { id, date: 1, text: id },
  chat: { id: '7999-main' },
});
const delivery = (id: string, openLineId: string): ChatItem => ({
  kind: 'delivery',
  id,
  openLineId,
  chatId: '7999-main',
  portalChatId: '5',
  portalMessageId: '6',
  providerMessageIds: ['wamid.x'],
  date: 1,
});
const note = (openLineId: string): ChatItem => ({
  kind: 'note',
  id: 'n',
  portalChatId: '5',
  text: 'not sent',
  viaConnector: { openLineId, chatId: '7999-main', user, employeeId: 1 },
});
const ready = (items: ChatItem[]): ReadyItem[] => items.map((item, i) => ({ member: item.id, item, nextAfter: i }));
const lineOf = (item: ChatItem | null | undefined) =>
  item && 'openLineId' in item ? item.openLineId : (item?.kind ?? 'dropped');

describe('routes of items of an open line the chat line left', () => {
  it('no stale open line: every item as it is', () => {
    const items = ready([customer('a', '7'), delivery('d', '7')]);
    expect(routeReady(items, new Map())).toEqual({ dropped: [], sendable: items });
  });

  it('moved 7 → 9 → 11: customer items follow to 11, deliveries of the old chats are dropped, notes post through 11', () => {
    const routes: StaleRoutes = new Map([
      ['7', { to: '9' }],
      ['9', { to: '11' }],
    ]);
    expect(lineOf(routeItem(customer('a', '7'), routes))).toBe('11');
    expect(routeItem(delivery('d', '9'), routes)).toBeNull();
    expect(routeItem(note('7'), routes)).toMatchObject({ kind: 'note', viaConnector: { openLineId: '11' } });
    expect(routeItem(customer('b', '11'), routes)).toEqual(customer('b', '11'));
  });

  it('no route (detached): the leading items are dropped; a note keeps its system line only', () => {
    const routes: StaleRoutes = new Map([['7', null]]);
    const items = ready([customer('a', '7'), delivery('d', '7'), customer('b', '9'), customer('c', '7')]);
    const first = routeReady(items, routes);
    expect(first.dropped.map((r) => r.item.id)).toEqual(['a', 'd']);
    expect(first.sendable).toEqual([]);
    // Once those are settled: the next items up to the next dropped one, in order.
    const next = routeReady(items.slice(2), routes);
    expect(next).toEqual({ dropped: [], sendable: [items[2]] });
    const stripped = routeItem(note('7'), routes);
    expect(stripped).toEqual({ kind: 'note', id: 'n', portalChatId: '5', text: 'not sent' });
  });

  it('a route loop (moved back and forth) drops rather than spins', () => {
    const routes: StaleRoutes = new Map([
      ['7', { to: '9' }],
      ['9', { to: '7' }],
    ]);
    expect(routeItem(customer('a', '7'), routes)).toBeNull();
  });
});
