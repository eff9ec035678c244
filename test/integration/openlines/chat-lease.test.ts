import type { BatchCommands, CallParams, PortalClientFactory } from '../../../bitrix/portal-client';
import { CONNECTOR_ID } from '../../../openlines/connector';
import { type ChatItem, LEASE_LOST } from '../../../store/open-line-outbox';
import { OpenLineDispatcher } from '../../../workers/open-line-dispatcher';
import { eventually, type Harness } from '../../helpers/harness';
import { createManualClock } from '../../helpers/manual-clock';
import { CHAT_ID, chatWith, customerItem, ownDispatchEachTest } from './openline-helpers';

const LEASE_MS = 300;

const item = (n: number, chatId = CHAT_ID): ChatItem => customerItem('lease', n, chatId);

describe('open lines: a chat lease is fenced and renewed', () => {
  const clock = createManualClock();
  let h: Harness;
  ownDispatchEachTest({ clock }, (each) => {
    h = each;
  });

  /** The runtime's portal clients, the first send.messages held until `release` is called. */
  function gatedPortal() {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let held = false;
    let entered = false;
    const factory: PortalClientFactory = Object.assign(
      (memberId: string) => {
        const client = h.rt.bitrix(memberId);
        return {
          memberId: client.memberId,
          batch: (commands: BatchCommands) => client.batch(commands),
          async call<T>(method: string, params?: CallParams): Promise<T> {
            if (method === 'imconnector.send.messages' && !held) {
              held = true;
              entered = true;
              await gate;
            }
            return client.call<T>(method, params);
          },
        };
      },
      { probe: h.rt.bitrix.probe },
    );
    return { factory, release: () => release(), entered: () => entered };
  }

  const dispatcher = (bitrix: PortalClientFactory) =>
    new OpenLineDispatcher({
      ...h.rt,
      bitrix,
      outbox: h.rt.openLineOutbox,
      subscriber: h.redis,
      leaseMs: LEASE_MS,
      retryBaseMs: 10,
    });

  const dueScore = async () => Number(await h.redis.zscore(h.rt.keys.openLineDue(h.memberId), CHAT_ID));

  it('a holder whose call outlasts the lease keeps it renewed: a second dispatcher sends nothing twice', async () => {
    for (const n of [1, 2, 3]) await h.rt.openLineOutbox.enqueue(h.memberId, CHAT_ID, item(n));
    const gated = gatedPortal();
    const first = dispatcher(gated.factory).drainChat(h.memberId, CHAT_ID);
    await eventually(() => gated.entered(), 5000, 'the first dispatcher in its portal call');
    // Time passes beyond the lease while the call hangs; each step waits for a renewal to see it.
    for (let step = 0; step < 3; step += 1) {
      clock.advance(LEASE_MS / 2);
      const target = clock.now() + LEASE_MS;
      await eventually(async () => (await dueScore()) === target, 5000, 'the lease renewed');
    }
    // The claim ran out long ago without renewal: another dispatcher would take the chat now.
    await dispatcher(h.rt.bitrix).drainChat(h.memberId, CHAT_ID);
    expect(h.portal.openLineChat(CONNECTOR_ID, 1, CHAT_ID)).toBeUndefined();
    gated.release();
    await first;
    const chat = await chatWith(h, 3);
    expect(chat.messages.map((m) => m.text)).toEqual(['message 1', 'message 2', 'message 3']);
    expect(await h.rt.openLineOutbox.pending(h.memberId, CHAT_ID)).toBe(0);
  });

  it('a holder whose lease was taken over can neither settle nor renew it', async () => {
    const outbox = h.rt.openLineOutbox;
    await outbox.enqueue(h.memberId, CHAT_ID, item(1));
    const stale = await outbox.claim(h.memberId, CHAT_ID, LEASE_MS, 10);
    if (!stale) throw new Error('the chat was not claimed');
    clock.advance(LEASE_MS + 1);
    const current = await outbox.claim(h.memberId, CHAT_ID, LEASE_MS, 10);
    expect(current?.items.map((c) => c.item.id)).toEqual(['lease-1']);
    const members = stale.items.map((c) => c.member);
    expect(await outbox.settle(h.memberId, CHAT_ID, stale.token, members, clock.now())).toBe(LEASE_LOST);
    expect(await outbox.extend(h.memberId, CHAT_ID, stale.token, LEASE_MS)).toBe(false);
    expect(await outbox.pending(h.memberId, CHAT_ID)).toBe(1);
    expect(await outbox.extend(h.memberId, CHAT_ID, current?.token ?? '', LEASE_MS)).toBe(true);
    expect(await outbox.settle(h.memberId, CHAT_ID, current?.token ?? '', members, clock.now())).not.toBe(LEASE_LOST);
    expect(await outbox.pending(h.memberId, CHAT_ID)).toBe(0);
  });

  it('items of one chat queued in the same ms keep their order, however many items other chats queued', async () => {
    const outbox = h.rt.openLineOutbox;
    const at = clock.now();
    // Enough items elsewhere that a counter shared by all chats would wrap at 1000 between ours.
    for (let n = 0; n < 998; n += 1) await outbox.enqueue(h.memberId, 'other-chat', item(10_000 + n, 'other-chat'), at);
    for (const n of [1, 2, 3]) await outbox.enqueue(h.memberId, CHAT_ID, item(n), at);
    const claimed = await outbox.claim(h.memberId, CHAT_ID, LEASE_MS, 10);
    expect(claimed?.items.map((c) => c.item.id)).toEqual(['lease-1', 'lease-2', 'lease-3']);
  });
});
