import { DROP_NOTE_PERIOD_MS } from '../../../openlines/chat-drops';
import { CONNECTOR_ID } from '../../../openlines/connector';
import { injectRestFault, pendingRestFaults } from '../../../simulators/bitrix24/rest-faults';
import { type ChatItem, OpenLineOutbox } from '../../../store/open-line-outbox';
import type { OpenLineDispatcher } from '../../../workers/open-line-dispatcher';
import { REFUSAL_PAUSE_MS } from '../../../workers/portal-address-refusal';
import type { Harness } from '../../helpers/harness';
import { createManualClock } from '../../helpers/manual-clock';
import { rebindingPortalClients } from '../../helpers/rebinding-portal';
import { CHAT_ID, chatWith, customerItem, ownDispatchEachTest, ownDispatcher } from './openline-helpers';

const DAY_MS = 24 * 3600_000;

const item = (n: number): ChatItem => customerItem('retry', n);

describe('open lines: a portal refusing the whole call delays chat items, never drops them (up to a day)', () => {
  const clock = createManualClock();
  let h: Harness;
  ownDispatchEachTest({ clock }, (each) => {
    h = each;
  });

  const dispatcher = () => ownDispatcher(h);

  /** One drain after the retry pause (at most the 30 s cap) has passed. */
  async function drainLater(d: OpenLineDispatcher): Promise<void> {
    clock.advance(30_001);
    await d.drainChat(h.memberId, CHAT_ID);
  }

  it.each(['ACCESS_DENIED', 'insufficient_scope'] as const)(
    '%s for a while: every item arrives afterwards, in order',
    async (code) => {
      for (const n of [1, 2, 3]) await h.rt.openLineOutbox.enqueue(h.memberId, CHAT_ID, item(n));
      injectRestFault(h.portal.state, { code, times: 3, method: 'imconnector.send.messages' });
      const d = dispatcher();
      await d.drainChat(h.memberId, CHAT_ID);
      for (let attempt = 0; attempt < 3; attempt += 1) {
        expect(await h.rt.openLineOutbox.pending(h.memberId, CHAT_ID)).toBe(3);
        await drainLater(d);
      }
      expect(pendingRestFaults(h.portal.state)).toBe(0);
      const chat = await chatWith(h, 3);
      expect(chat.messages.map((m) => m.text)).toEqual(['message 1', 'message 2', 'message 3']);
      expect(await h.rt.openLineOutbox.pending(h.memberId, CHAT_ID)).toBe(0);
    },
  );

  it('items the portal refused for more than a day are dropped (the chat is not blocked for ever)', async () => {
    await h.rt.openLineOutbox.enqueue(h.memberId, CHAT_ID, item(1));
    injectRestFault(h.portal.state, { code: 'ACCESS_DENIED', times: 1000, method: 'imconnector.send.messages' });
    const d = dispatcher();
    await d.drainChat(h.memberId, CHAT_ID);
    clock.advance(DAY_MS - 60_000);
    await drainLater(d);
    expect(await h.rt.openLineOutbox.pending(h.memberId, CHAT_ID)).toBe(1);
    expect(await h.rt.activity.recentErrors(h.memberId)).toEqual([]);
    clock.advance(60_000);
    await drainLater(d);
    expect(await h.rt.openLineOutbox.pending(h.memberId, CHAT_ID)).toBe(0);
    // Not silently: the settings page's activity log shows it under the chat's WhatsApp line.
    expect(await h.rt.activity.recentErrors(h.memberId)).toEqual([
      { code: 'open_line_not_delivered', lineId: 'main', action: 'open_line', at: clock.now() },
    ]);
  });

  describe("the portal's name answering a private address (the connect-time guard refuses)", () => {
    let answer: string | undefined;
    let rebinding: ReturnType<typeof rebindingPortalClients>;
    beforeEach(() => {
      answer = '127.0.0.1';
      rebinding = rebindingPortalClients(h, () => answer);
    });
    afterEach(async () => {
      await rebinding.close();
    });
    const dueAt = async () => Number(await h.redis.zscore(h.rt.keys.openLineDue(h.memberId), CHAT_ID));
    const pending = () => h.rt.openLineOutbox.pending(h.memberId, CHAT_ID);

    it('for a while: the chat pauses minutes, then every item arrives in order; nothing dropped', async () => {
      for (const n of [1, 2, 3]) await h.rt.openLineOutbox.enqueue(h.memberId, CHAT_ID, item(n));
      const d = ownDispatcher(h, { bitrix: rebinding.bitrix });
      await d.drainChat(h.memberId, CHAT_ID);
      expect(await pending()).toBe(3);
      expect(await dueAt()).toBe(clock.now() + REFUSAL_PAUSE_MS);
      expect(await h.rt.activity.recentErrors(h.memberId)).toEqual([
        { code: 'portal_address_refused', lineId: '', action: 'open_line', at: clock.now() },
      ]);
      // The name answers public again; the chat is not tried before its pause is over.
      answer = undefined;
      clock.advance(REFUSAL_PAUSE_MS - 1);
      await d.drainChat(h.memberId, CHAT_ID);
      expect(await pending()).toBe(3);
      clock.advance(1);
      await d.drainChat(h.memberId, CHAT_ID);
      const chat = await chatWith(h, 3);
      expect(chat.messages.map((m) => m.text)).toEqual(['message 1', 'message 2', 'message 3']);
      expect(await pending()).toBe(0);
      expect((await h.rt.activity.recentErrors(h.memberId)).map((e) => e.code)).toEqual(['portal_address_refused']);
    });

    it('for more than a day: the items are dropped and the activity log says why', async () => {
      await h.rt.openLineOutbox.enqueue(h.memberId, CHAT_ID, item(1));
      const queuedAt = clock.now();
      const d = ownDispatcher(h, { bitrix: rebinding.bitrix });
      let tries = 0;
      while ((await pending()) > 0) {
        await d.drainChat(h.memberId, CHAT_ID);
        tries += 1;
        if ((await pending()) > 0) clock.set(await dueAt());
      }
      // Growing pauses (5, 10, 20, 40 minutes, then hourly): some 27 lookups in a day.
      expect(tries).toBeLessThan(30);
      expect(clock.now() - queuedAt).toBeGreaterThan(DAY_MS);
      expect((await h.rt.activity.recentErrors(h.memberId)).map((e) => e.code)).toContain(
        'portal_address_refused_dropped',
      );
      expect(h.portal.openLineChat(CONNECTOR_ID, 1, CHAT_ID)).toBeUndefined();
    });
  });

  it('a line switched off for a day: its items are dropped and the activity log says so', async () => {
    await h.rt.openLineOutbox.enqueue(h.memberId, CHAT_ID, item(1));
    // Switched off on the portal's side (no event reached the app): send.messages answers NOT_ACTIVE_LINE.
    const status = h.portal.state.openLines.statuses.get(`${CONNECTOR_ID}|1`);
    if (!status) throw new Error('the line was not attached');
    status.active = false;
    const d = dispatcher();
    await d.drainChat(h.memberId, CHAT_ID);
    clock.advance(DAY_MS);
    await drainLater(d);
    expect(await h.rt.openLineOutbox.pending(h.memberId, CHAT_ID)).toBe(0);
    expect(await h.rt.activity.recentErrors(h.memberId)).toMatchObject([{ code: 'open_line_switched_off' }]);
  });

  it('a chat keeps at most its bound of waiting items: the oldest go, and the activity log says so', async () => {
    const outbox = new OpenLineOutbox(h.redis, h.rt.keys, clock, { maxPerChat: 3, onDropped: h.rt.noteChatDrop });
    for (const n of [1, 2, 3, 4, 5]) await outbox.enqueue(h.memberId, CHAT_ID, item(n));
    const claimed = await outbox.claim(h.memberId, CHAT_ID, 1000, 10);
    expect(claimed?.items.map((c) => c.item.id)).toEqual(['retry-3', 'retry-4', 'retry-5']);
    // Two drops in a burst: one note.
    const codes = async () => (await h.rt.activity.recentErrors(h.memberId)).map((e) => e.code);
    expect(await codes()).toEqual(['open_line_backlog_full']);
    clock.advance(DROP_NOTE_PERIOD_MS);
    await outbox.enqueue(h.memberId, CHAT_ID, item(6));
    expect(await codes()).toEqual(['open_line_backlog_full', 'open_line_backlog_full']);
  });
});
