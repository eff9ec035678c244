import type { ReadyItem } from '../../../openlines/chat-order';
import { type LineNow, routeItem, routeReady } from '../../../openlines/stale-open-lines';
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

const on = (openLineId: string): LineNow => ({ openLineId, active: true });
const none = new Set<string>();

describe('routes of items of an open line the chat line left', () => {
  it('the line still on their open line: every item as it is', () => {
    const items = ready([customer('a', '7'), delivery('d', '7')]);
    expect(routeReady(items, on('7'), none)).toEqual({ dropped: [], sendable: items });
  });

  it('moved to 11 (through 9 or not): customer items follow to 11, deliveries of the old chats are dropped, notes post through 11', () => {
    expect(lineOf(routeItem(customer('a', '7'), on('11'), none))).toBe('11');
    expect(routeItem(delivery('d', '9'), on('11'), none)).toBeNull();
    expect(routeItem(note('7'), on('11'), none)).toMatchObject({ kind: 'note', viaConnector: { openLineId: '11' } });
    expect(routeItem(customer('b', '11'), on('11'), none)).toEqual(customer('b', '11'));
  });

  it('moved back 7 → 9 → 7: the items of 7 go to 7 and those of 9 follow to 7', () => {
    expect(routeItem(customer('a', '7'), on('7'), new Set(['7']))).toEqual(customer('a', '7'));
    expect(lineOf(routeItem(customer('b', '9'), on('7'), new Set(['7'])))).toBe('7');
  });

  it('switched off in the app on 7 and refused: its items and those of other open lines are dropped; a note keeps its system line only', () => {
    const off = { openLineId: '7', active: false };
    const items = ready([customer('a', '9'), delivery('d', '9'), customer('b', '7'), customer('c', '9')]);
    // Not refused yet: the leading items of 9 (no longer the line's) are dropped, then those of 7 go.
    const first = routeReady(items, off, none);
    expect(first.dropped.map((r) => r.item.id)).toEqual(['a', 'd']);
    expect(first.sendable).toEqual([]);
    // Once those are settled: the next items up to the next dropped one, in order.
    expect(routeReady(items.slice(2), off, none)).toEqual({ dropped: [], sendable: [items[2]] });
    expect(routeReady(items.slice(2), off, new Set(['7'])).dropped.map((r) => r.item.id)).toEqual(['b', 'c']);
    const stripped = routeItem(note('7'), off, new Set(['7']));
    expect(stripped).toEqual({ kind: 'note', id: 'n', portalChatId: '5', text: 'not sent' });
  });

  it('detached, or moved to an open line switched off: dropped at once, refused or not (the old open line may serve another line now)', () => {
    expect(routeItem(customer('a', '7'), null, none)).toBeNull();
    expect(routeItem(customer('a', '7'), { openLineId: '9', active: false }, none)).toBeNull();
    expect(routeItem(delivery('d', '7'), null, none)).toBeNull();
    expect(routeItem(note('7'), null, none)).toEqual({ kind: 'note', id: 'n', portalChatId: '5', text: 'not sent' });
  });

  it('still on their open line but switched off in the app, not refused yet, or the attachment unknown: sent as they are (the portal decides)', () => {
    expect(routeItem(customer('a', '7'), { openLineId: '7', active: false }, none)).toEqual(customer('a', '7'));
    expect(routeItem(customer('a', '7'), undefined, new Set(['7']))).toEqual(customer('a', '7'));
  });
});
