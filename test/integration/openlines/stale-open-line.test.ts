import { attachLine, detachLine } from '../../../openlines/attach-line';
import { CONNECTOR_ID } from '../../../openlines/connector';
import type { ChatItem } from '../../../store/open-line-outbox';
import { eventually, type Harness } from '../../helpers/harness';
import { createManualClock } from '../../helpers/manual-clock';
import { CHAT_ID, customerItem, ownDispatchEachTest, ownDispatcher } from './openline-helpers';

const on = (openLineId: string, item: ChatItem): ChatItem =>
  item.kind === 'customer' ? { ...item, openLineId } : item;

/**
 * Items queued for an open line the chat's WhatsApp line no longer serves (moved, detached,
 * switched off): the portal answers NOT_ACTIVE_LINE for that line (openlines-wire.md §3.1). They
 * follow the line to its open line now, or are dropped with a note: the chat's later items are
 * not held behind them (it used to pause 5 minutes at a time, for up to a day). No clock moves here.
 */
describe('open lines: chat items of an open line the line left', () => {
  const clock = createManualClock();
  let h: Harness;
  ownDispatchEachTest({ clock }, (each) => {
    h = each;
  });

  const dispatcher = () => ownDispatcher(h);
  const queue = (item: ChatItem) => h.rt.openLineOutbox.enqueue(h.memberId, CHAT_ID, item);

  it('moved to another open line: the old items go there at once, before the new ones, in order', async () => {
    for (const n of [1, 2]) await queue(customerItem('mv', n));
    h.portal.addOpenLine(2);
    await attachLine(h.rt.openLineSetup, h.memberId, 'main', '2');
    // The portal answers as Bitrix24 does for the connector on the line it left.
    expect(h.portal.state.openLines.statuses.get(`${CONNECTOR_ID}|1`)?.active).toBe(false);
    await queue(on('2', customerItem('mv', 3)));
    await dispatcher().drainChat(h.memberId, CHAT_ID);
    const chat = await eventually(() => h.portal.openLineChat(CONNECTOR_ID, 2, CHAT_ID), 5000, 'chat on line 2');
    expect(chat.messages.map((m) => m.text)).toEqual(['message 1', 'message 2', 'message 3']);
    expect(h.portal.openLineChat(CONNECTOR_ID, 1, CHAT_ID)).toBeUndefined();
    expect(await h.rt.openLineOutbox.pending(h.memberId, CHAT_ID)).toBe(0);
    expect(await h.rt.activity.recentErrors(h.memberId)).toEqual([]);
  });

  it('detached: its items are dropped at once and the activity log says so', async () => {
    for (const n of [1, 2]) await queue(customerItem('dt', n));
    await detachLine(h.rt.openLineSetup, h.memberId, 'main');
    await dispatcher().drainChat(h.memberId, CHAT_ID);
    expect(await h.rt.openLineOutbox.pending(h.memberId, CHAT_ID)).toBe(0);
    expect(await h.rt.activity.recentErrors(h.memberId)).toEqual([
      { code: 'open_line_detached', lineId: 'main', action: 'open_line', at: clock.now() },
    ]);
  });

  it('switched off in Contact Center (the app was told): dropped at once, not retried for a day', async () => {
    await queue(customerItem('off', 1));
    await h.rt.openLines.setActive(h.memberId, '1', false);
    const status = h.portal.state.openLines.statuses.get(`${CONNECTOR_ID}|1`);
    if (!status) throw new Error('the line was not attached');
    status.active = false;
    await dispatcher().drainChat(h.memberId, CHAT_ID);
    expect(await h.rt.openLineOutbox.pending(h.memberId, CHAT_ID)).toBe(0);
    expect(await h.rt.activity.recentErrors(h.memberId)).toMatchObject([{ code: 'open_line_detached' }]);
  });

  it('still the line’s open line, refused on the portal’s side only: the chat waits (tried again later)', async () => {
    await queue(customerItem('wait', 1));
    const status = h.portal.state.openLines.statuses.get(`${CONNECTOR_ID}|1`);
    if (!status) throw new Error('the line was not attached');
    status.active = false;
    await dispatcher().drainChat(h.memberId, CHAT_ID);
    expect(await h.rt.openLineOutbox.pending(h.memberId, CHAT_ID)).toBe(1);
    expect(await h.rt.activity.recentErrors(h.memberId)).toEqual([]);
  });
});
