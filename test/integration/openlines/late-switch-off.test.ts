import { attachLine, detachLine } from '../../../openlines/attach-line';
import { CONNECTOR_ID } from '../../../openlines/connector';
import type { ChatItem } from '../../../store/open-line-outbox';
import type { Harness } from '../../helpers/harness';
import { createManualClock } from '../../helpers/manual-clock';
import { CHAT_ID, customerItem, ownDispatchEachTest, ownDispatcher } from './openline-helpers';

const on = (openLineId: string, item: ChatItem): ChatItem =>
  item.kind === 'customer' ? { ...item, openLineId } : item;

/**
 * The portal's ONIMCONNECTORSTATUSDELETE for the app's own switch-off (openlines-wire.md §5.8)
 * arriving late, after the line was attached to that open line again: the simulator holds the
 * switch-off events until the test releases them. The new attachment stays switched on; a
 * switch-off that is not the app's own still pauses it.
 */
describe('open lines: a late switch-off event after the line was attached again', () => {
  const clock = createManualClock();
  let h: Harness;
  ownDispatchEachTest({ clock }, (each) => {
    h = each;
  });

  const queue = (item: ChatItem) => h.rt.openLineOutbox.enqueue(h.memberId, CHAT_ID, item);
  const texts = (openLineId: number) =>
    h.portal.openLineChat(CONNECTOR_ID, openLineId, CHAT_ID)?.messages.map((m) => m.text);
  const switchOff = (line: string) =>
    h.portal.deliverEvent('ONIMCONNECTORSTATUSDELETE', { connector: CONNECTOR_ID, line });

  it('moved 1 → 2 → 1, the event of 1 coming after the move back: the line stays on 1 and the items of 2 follow it', async () => {
    h.portal.addOpenLine(2);
    h.portal.state.openLines.holdSwitchOffEvents = true;
    await queue(customerItem('lt', 1));
    clock.advance(1000);
    await attachLine(h.rt.openLineSetup, h.memberId, 'main', '2');
    await queue(on('2', customerItem('lt', 2)));
    clock.advance(1000);
    await attachLine(h.rt.openLineSetup, h.memberId, 'main', '1');
    expect(await h.portal.state.openLines.releaseSwitchOffEvents()).toBe(2);
    expect(h.portal.state.openLines.switchOffEvents).toEqual([
      { connector: CONNECTOR_ID, line: 1, statuses: [200] },
      { connector: CONNECTOR_ID, line: 2, statuses: [200] },
    ]);
    expect(await h.rt.openLines.forLine(h.memberId, 'main')).toMatchObject({ openLineId: '1', active: true });
    await ownDispatcher(h).drainChat(h.memberId, CHAT_ID);
    expect(texts(1)).toEqual(['message 1', 'message 2']);
    expect(texts(2)).toBeUndefined();
    expect(await h.rt.activity.recentErrors(h.memberId)).toEqual([]);
  });

  it('detached and attached to 1 again, the event coming after: still on; a later switch-off not the app’s own pauses it', async () => {
    h.portal.state.openLines.holdSwitchOffEvents = true;
    clock.advance(1000);
    await detachLine(h.rt.openLineSetup, h.memberId, 'main');
    clock.advance(1000);
    await attachLine(h.rt.openLineSetup, h.memberId, 'main', '1');
    expect(await h.portal.state.openLines.releaseSwitchOffEvents()).toBe(1);
    expect(h.portal.state.openLines.switchOffEvents).toEqual([{ connector: CONNECTOR_ID, line: 1, statuses: [200] }]);
    expect(await h.rt.openLines.forLine(h.memberId, 'main')).toMatchObject({ openLineId: '1', active: true });
    // The app's own switch-off was answered by its event: an admin's switch-off now is the portal's word.
    const [answer] = await switchOff('1');
    expect(answer?.body).toContain('paused');
    expect(await h.rt.openLines.forLine(h.memberId, 'main')).toMatchObject({ openLineId: '1', active: false });
  });

  it('an admin’s switch-off handled before the app’s own late event: the line ends up paused either way', async () => {
    h.portal.state.openLines.holdSwitchOffEvents = true;
    await detachLine(h.rt.openLineSetup, h.memberId, 'main');
    clock.advance(1000);
    await attachLine(h.rt.openLineSetup, h.memberId, 'main', '1');
    // The admin's event arrives first and answers the app's mark; the app's own, late, then pauses it.
    const [first] = await switchOff('1');
    expect(first?.body).toContain('kept');
    expect(await h.portal.state.openLines.releaseSwitchOffEvents()).toBe(1);
    expect(await h.rt.openLines.forLine(h.memberId, 'main')).toMatchObject({ openLineId: '1', active: false });
  });
});
