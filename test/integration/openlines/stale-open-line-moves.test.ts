import type { PortalClient } from '../../../bitrix/portal-client';
import { attachLine, detachLine } from '../../../openlines/attach-line';
import type { NoteChatDrop } from '../../../openlines/chat-drops';
import { CONNECTOR_ID } from '../../../openlines/connector';
import type { ChatItem } from '../../../store/open-line-outbox';
import type { OpenLineDispatcherOptions } from '../../../workers/open-line-dispatcher';
import type { Harness } from '../../helpers/harness';
import { createManualClock } from '../../helpers/manual-clock';
import { addSecondLine, CHAT_ID, customerItem, ownDispatchEachTest, ownDispatcher } from './openline-helpers';

const on = (openLineId: string, item: ChatItem): ChatItem =>
  item.kind === 'customer' ? { ...item, openLineId } : item;

/**
 * A chat's items while its WhatsApp line moves between open lines, with the portal's
 * ONIMCONNECTORSTATUSDELETE for the app's own switch-off (openlines-wire.md §5.8; the simulator
 * sends it before it answers `activate ACTIVE=0`): they follow the line, whatever the moment the
 * dispatcher sends them, and are dropped only while the line serves no switched-on open line.
 */
describe('open lines: chat items while the line moves', () => {
  const clock = createManualClock();
  let h: Harness;
  ownDispatchEachTest({ clock }, (each) => {
    h = each;
  });

  const dispatcher = (extra: Partial<OpenLineDispatcherOptions> = {}) => ownDispatcher(h, extra);
  const queue = (item: ChatItem) => h.rt.openLineOutbox.enqueue(h.memberId, CHAT_ID, item);
  const texts = (openLineId: number) =>
    h.portal.openLineChat(CONNECTOR_ID, openLineId, CHAT_ID)?.messages.map((m) => m.text);

  it('moved 1 → 2: a drain right after the portal’s switch-off event of 1 sends the old items to 2', async () => {
    for (const n of [1, 2]) await queue(customerItem('ev', n));
    h.portal.addOpenLine(2);
    let drained = false;
    const setup = h.rt.openLineSetup;
    // The attach's portal calls: the chat is drained as soon as the old open line is switched off
    // (its StatusDelete event already handled by the app), before the attach goes on.
    const bitrix = (memberId: string): Pick<PortalClient, 'call'> => ({
      call: async <T>(method: string, params?: Record<string, unknown>): Promise<T> => {
        const result = await setup.bitrix(memberId).call<T>(method, params);
        if (method === 'imconnector.activate' && params?.ACTIVE === 0) {
          expect(h.portal.state.openLines.switchOffEvents).toEqual([
            { connector: CONNECTOR_ID, line: 1, statuses: [200] },
          ]);
          await dispatcher().drainChat(h.memberId, CHAT_ID);
          drained = true;
        }
        return result;
      },
    });
    await attachLine({ ...setup, bitrix }, h.memberId, 'main', '2');
    expect(drained).toBe(true);
    expect(texts(2)).toEqual(['message 1', 'message 2']);
    expect(texts(1)).toBeUndefined();
    expect(await h.rt.openLines.forLine(h.memberId, 'main')).toMatchObject({ openLineId: '2', active: true });
    expect(await h.rt.activity.recentErrors(h.memberId)).toEqual([]);
  });

  it('moved 1 → 2 and 1 given to another line: the old items follow to 2, none lands in the other line’s chat', async () => {
    await queue(customerItem('sw', 1));
    h.portal.addOpenLine(2);
    await attachLine(h.rt.openLineSetup, h.memberId, 'main', '2');
    await addSecondLine(h);
    await attachLine(h.rt.openLineSetup, h.memberId, 'second', '1');
    await queue(on('2', customerItem('sw', 2)));
    await dispatcher().drainChat(h.memberId, CHAT_ID);
    expect(texts(2)).toEqual(['message 1', 'message 2']);
    expect(texts(1)).toBeUndefined();
  });

  it('moved back 1 → 2 → 1: the items of 1 and of 2 all go to 1, in order', async () => {
    await queue(customerItem('bk', 1));
    h.portal.addOpenLine(2);
    await attachLine(h.rt.openLineSetup, h.memberId, 'main', '2');
    await queue(on('2', customerItem('bk', 2)));
    await attachLine(h.rt.openLineSetup, h.memberId, 'main', '1');
    await queue(customerItem('bk', 3));
    await dispatcher().drainChat(h.memberId, CHAT_ID);
    expect(texts(1)).toEqual(['message 1', 'message 2', 'message 3']);
    expect(texts(2)).toBeUndefined();
    expect(await h.rt.openLineOutbox.pending(h.memberId, CHAT_ID)).toBe(0);
  });

  it('detached: its queued items are dropped at once, without a call to their open line (it may serve another line now); attached again, the next message goes', async () => {
    await queue(customerItem('re', 1));
    await detachLine(h.rt.openLineSetup, h.memberId, 'main');
    const sends = () => h.portal.stats().byMethod['imconnector.send.messages'] ?? 0;
    const before = sends();
    await dispatcher().drainChat(h.memberId, CHAT_ID);
    expect(sends()).toBe(before);
    expect(await h.rt.openLineOutbox.pending(h.memberId, CHAT_ID)).toBe(0);
    expect(await h.rt.activity.recentErrors(h.memberId)).toMatchObject([{ code: 'open_line_detached' }]);
    await attachLine(h.rt.openLineSetup, h.memberId, 'main', '1');
    await queue(customerItem('re', 2));
    await dispatcher().drainChat(h.memberId, CHAT_ID);
    expect(sends()).toBe(before + 1);
    expect(texts(1)).toEqual(['message 2']);
  });

  it('moved to an open line switched off, the old one given to another line: the old items never reach that line', async () => {
    await queue(customerItem('off', 1));
    h.portal.addOpenLine(2);
    await attachLine(h.rt.openLineSetup, h.memberId, 'main', '2');
    await h.rt.openLines.setActive(h.memberId, '2', false);
    await dispatcher().drainChat(h.memberId, CHAT_ID);
    expect(texts(1)).toBeUndefined();
    expect(texts(2)).toBeUndefined();
    expect(await h.rt.openLineOutbox.pending(h.memberId, CHAT_ID)).toBe(0);
    expect(await h.rt.activity.recentErrors(h.memberId)).toMatchObject([{ code: 'open_line_detached' }]);
  });

  it('detached: the drop note counts the messages, not the delivery confirmations dropped with them', async () => {
    await queue({
      kind: 'delivery',
      id: 'dl-1',
      openLineId: '1',
      chatId: CHAT_ID,
      portalChatId: '5',
      portalMessageId: '6',
      providerMessageIds: ['wamid.x'],
      date: 1,
    });
    for (const n of [1, 2]) await queue(customerItem('cnt', n));
    await detachLine(h.rt.openLineSetup, h.memberId, 'main');
    const notes: Array<[number, string]> = [];
    const noteChatDrop: NoteChatDrop = async (_memberId, _chatKey, count, code) => {
      notes.push([count, code]);
    };
    await dispatcher({ noteChatDrop }).drainChat(h.memberId, CHAT_ID);
    expect(notes).toEqual([[2, 'open_line_detached']]);
    expect(await h.rt.openLineOutbox.pending(h.memberId, CHAT_ID)).toBe(0);
  });

  it('an unreadable attachment after a refusal: the chat waits, and its items go after the day like any refused item', async () => {
    await queue(customerItem('bad', 1));
    const status = h.portal.state.openLines.statuses.get(`${CONNECTOR_ID}|1`);
    if (!status) throw new Error('the line was not attached');
    status.active = false;
    await h.redis.hset(h.rt.keys.openLineAttachments(h.memberId), 'main', '{"lineId":"main"}');
    await dispatcher().drainChat(h.memberId, CHAT_ID);
    expect(await h.rt.openLineOutbox.pending(h.memberId, CHAT_ID)).toBe(1);
    expect(await h.rt.activity.recentErrors(h.memberId)).toEqual([]);
    clock.advance(24 * 3600_000 + 1);
    await dispatcher().drainChat(h.memberId, CHAT_ID);
    expect(await h.rt.openLineOutbox.pending(h.memberId, CHAT_ID)).toBe(0);
    expect(await h.rt.activity.recentErrors(h.memberId)).toMatchObject([{ code: 'open_line_switched_off' }]);
  });
});
