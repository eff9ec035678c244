import { echoIdOf, nextGroup } from '../../../openlines/chat-item-sender';
import type { ChatItem } from '../../../store/open-line-outbox';

const customer = (id: string, openLineId = '1'): ChatItem => ({
  kind: 'customer',
  id,
  openLineId,
  user: { id: '7999' },
  message: { id, date: 1, text: id },
  chat: { id: '7999-main' },
});
const note: ChatItem = { kind: 'note', id: 'n', portalChatId: '5', text: 'not sent' };

describe('nextGroup', () => {
  it('takes a run of customer messages of one open line, at most max, and anything else alone', () => {
    const ids = (items: ChatItem[]) => items.map((i) => i.id);
    expect(ids(nextGroup([customer('a'), customer('b'), note, customer('c')]))).toEqual(['a', 'b']);
    expect(ids(nextGroup([note, customer('a')]))).toEqual(['n']);
    expect(ids(nextGroup([customer('a'), customer('b', '2')]))).toEqual(['a']);
    expect(ids(nextGroup([customer('a'), customer('b'), customer('c')], 2))).toEqual(['a', 'b']);
    expect(nextGroup([])).toEqual([]);
  });
});

describe('echoIdOf', () => {
  it('compares plain words (BB-codes and whitespace as the portal may send them back) and the employee', () => {
    const posted = echoIdOf('1', '7999-main', '1', 'Sent to the customer:\nYour order is ready');
    expect(echoIdOf('1', '7999-main', '1', '[b]Sent to the customer:[/b][br]  Your order is ready ')).toBe(posted);
    expect(echoIdOf('1', '7999-main', '2', 'Sent to the customer:\nYour order is ready')).not.toBe(posted);
    expect(echoIdOf('1', '7999-main', '1', 'Sent to the customer: Your order is late')).not.toBe(posted);
  });
});
