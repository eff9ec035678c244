import { Redis } from 'ioredis';
import type { BatchCommands, CallParams, PortalClientFactory } from '../../../bitrix/portal-client';
import type { Logger } from '../../../lib/logger';
import { CONNECTOR_ID } from '../../../openlines/connector';
import type { RedisClient } from '../../../redis/connect';
import { OpenLineOutbox } from '../../../store/open-line-outbox';
import { eventually, type Harness } from '../../helpers/harness';
import { createManualClock } from '../../helpers/manual-clock';
import { CHAT_ID, chatWith, customerItem, ownDispatchEachTest, ownDispatcher } from './openline-helpers';

const READONLY = "READONLY You can't write against a read only replica.";
/** A second customer's chat on line `main`. */
const OTHER_CHAT = '79990003344-main';

/**
 * A dispatcher whose drain fails (Redis refusing writes but serving reads: READONLY after a
 * failover, OOM) must not drain that portal again at once, but after a pause (doubling), the other
 * portals going on meanwhile; and a portal's drain ends only when all its chats' drains have (none
 * left running untracked after a failure).
 */
describe('open-line dispatcher: a failed drain', () => {
  const clock = createManualClock();
  let h: Harness;
  ownDispatchEachTest({ clock }, (each) => {
    h = each;
  });
  const connections: Redis[] = [];
  afterEach(() => {
    for (const connection of connections.splice(0)) connection.disconnect();
  });

  /** Runs once as a pass asks for its next due portal (after it chose the portals to drain). */
  let onNextDueQuery: (() => void) | undefined;
  /** Passes (each starts with the due-portals query), refused scripts and logged drain failures. */
  const counts = { passes: 0, refused: 0, failures: 0 };
  const events: string[] = [];
  beforeEach(() => {
    Object.assign(counts, { passes: 0, refused: 0, failures: 0 });
    onNextDueQuery = undefined;
    events.length = 0;
  });

  /** The test's own dispatcher: its scripts refused when `refuse(args)` says so; the timer out of the way. */
  async function startDispatcher(refuse: (args: unknown[]) => boolean, bitrix = h.rt.bitrix) {
    const raw = new Redis(h.redisUrl);
    const subscriber = new Redis(h.redisUrl);
    connections.push(raw);
    const redis = new Proxy(raw, {
      get(target, name, receiver) {
        const value: unknown = Reflect.get(target, name, receiver);
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          if (name === 'zrangebyscore' && args[0] === h.rt.keys.openLinePortals() && args[1] === '-inf')
            counts.passes += 1;
          if (name === 'zrangebyscore' && args[0] === h.rt.keys.openLinePortals() && String(args[1]).startsWith('(')) {
            onNextDueQuery?.();
            onNextDueQuery = undefined;
          }
          if ((name === 'evalsha' || name === 'eval') && refuse(args)) {
            counts.refused += 1;
            return Promise.reject(new Error(READONLY));
          }
          return value.apply(target, args);
        };
      },
    }) as RedisClient; // the same client, some of its scripts refused
    const log = new Proxy(h.rt.log, {
      get(target, name, receiver) {
        const value: unknown = Reflect.get(target, name, receiver);
        if (name !== 'error' || typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          if (args[1] === 'open-line drain failed') {
            counts.failures += 1;
            events.push('drain failed');
          }
          return value.apply(target, args);
        };
      },
    }) as Logger; // the same logger, its drain failures counted
    const outbox = new OpenLineOutbox(redis, h.rt.keys, clock);
    const dispatcher = ownDispatcher(h, { redis, outbox, subscriber, log, bitrix, safetyPollMs: 60_000 });
    await dispatcher.start();
    return dispatcher;
  }

  it("pauses a portal whose drain keeps failing (doubling), while another portal's chats still go out", async () => {
    const stuck = 'stuck-portal';
    await h.rt.openLineOutbox.enqueue(stuck, CHAT_ID, customerItem('stuck', 1));
    const dispatcher = await startDispatcher((args) => args.some((a) => typeof a === 'string' && a.includes(stuck)));
    try {
      await eventually(() => counts.failures === 1, 5000, "the stuck portal's first drain failed");
      // Within its first pause (250 ms of the injected clock, which stands still here) the other
      // portal's messages go out, each with its wake-ups and passes: the stuck one is not tried.
      for (let n = 1; n <= 3; n += 1) {
        await h.rt.openLineOutbox.enqueue(h.memberId, CHAT_ID, customerItem('ok', n));
        await chatWith(h, n);
      }
      expect(counts.failures).toBe(1);
      // Its pause over, it is tried again (no wake-up needed: the loop sleeps only until then).
      clock.advance(250);
      await eventually(() => counts.failures === 2, 5000, 'tried again after 250 ms');
      // The next pause is twice as long: 250 ms in, the other portal goes on and it waits.
      clock.advance(250);
      await h.rt.openLineOutbox.enqueue(h.memberId, CHAT_ID, customerItem('ok', 4));
      await chatWith(h, 4);
      expect(counts.failures).toBe(2);
      clock.advance(250);
      await eventually(() => counts.failures === 3, 5000, 'tried again after 500 ms');
      expect(counts.refused).toBe(3);
    } finally {
      await dispatcher.stop();
    }
  });

  it("a pause that ends while a pass runs is not slept through to the safety poll (the pass's own instant)", async () => {
    const stuck = 'stuck-portal';
    await h.rt.openLineOutbox.enqueue(stuck, CHAT_ID, customerItem('stuck', 1));
    const dispatcher = await startDispatcher((args) => args.some((a) => typeof a === 'string' && a.includes(stuck)));
    try {
      await eventually(() => counts.failures === 1, 5000, "the stuck portal's first drain failed");
      // A pass finds the portal pausing; its pause ends before the pass chooses its sleep. The pass
      // must sleep until the pause's end as it saw it (250 ms), not the 60 s safety poll.
      onNextDueQuery = () => clock.advance(250);
      dispatcher.wake();
      await eventually(() => onNextDueQuery === undefined, 5000, 'a pass ran with the clock moved during it');
      await eventually(() => counts.failures === 2, 5000, 'tried again once its pause was over');
    } finally {
      await dispatcher.stop();
    }
  });

  it("a chat's failed drain ends the portal's drain only after its other chats' drains", async () => {
    await h.rt.openLineOutbox.enqueue(h.memberId, CHAT_ID, customerItem('fail', 1));
    await h.rt.openLineOutbox.enqueue(h.memberId, OTHER_CHAT, customerItem('other', 1, OTHER_CHAT));
    // The other chat's portal call is held until the first chat's claim was refused.
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let held = false;
    const bitrix: PortalClientFactory = Object.assign(
      (memberId: string) => {
        const client = h.rt.bitrix(memberId);
        return {
          memberId: client.memberId,
          batch: (commands: BatchCommands) => client.batch(commands),
          async call<T>(method: string, params?: CallParams): Promise<T> {
            if (method !== 'imconnector.send.messages') return client.call<T>(method, params);
            held = true;
            await gate;
            const result = await client.call<T>(method, params);
            events.push('other chat sent');
            return result;
          },
        };
      },
      { probe: h.rt.bitrix.probe },
    );
    const dispatcher = await startDispatcher((args) => args.includes(CHAT_ID), bitrix);
    try {
      await eventually(() => held && counts.refused >= 1, 5000, 'one chat refused, the other in its portal call');
      release();
      await eventually(() => counts.failures >= 1, 5000, 'the drain failed');
      await eventually(() => h.portal.openLineChat(CONNECTOR_ID, 1, OTHER_CHAT), 5000, "the other chat's message");
      // Without waiting for the other chat, the failure would have been logged before its call ended.
      expect(events).toEqual(['other chat sent', 'drain failed']);
    } finally {
      await dispatcher.stop();
    }
  });
});
