import { type LocalRedisServer, startRedisServer } from '../../lib/redis-server';
import type { InboundMessage } from '../../providers/inbound-message';
import { callbackScripts } from '../../redis/callback-scripts';
import { defined } from '../helpers/defined';
import { createHarness, createRegisteredHarness, eventually, type Harness } from '../helpers/harness';
import { counterValue, jobLog, settled } from '../helpers/signals';
import {
  acceptedSends,
  allSends,
  CUSTOMER,
  ordinaryTexts,
  startButtonsWait,
  tap,
  waitField,
  waitIdOf,
} from '../helpers/waits';

const buttonReply = (id: string, title: string, messageId: string): InboundMessage => ({
  id: messageId,
  from: CUSTOMER,
  timestamp: String(Math.floor(Date.now() / 1000)),
  type: 'interactive',
  interactive: { type: 'button_reply', button_reply: { id, title } },
});

// The memory cost of an open wait: waits-memory.test.ts.
describe('waits end exactly once, across crashes and restarts', () => {
  let h: Harness;
  afterEach(async () => {
    await h.close();
  });

  /** A robot waiting on buttons, then every worker gone (as if the processes died). */
  const waitingWithoutWorkers = async () => {
    h = await createRegisteredHarness();
    const run = await startButtonsWait(h);
    await h.stopWorkers();
    const line = await h.rt.lines.get(h.memberId, 'main');
    if (!line) throw new Error('no line');
    return { run, line };
  };

  it('a worker killed between the claim and the callback: the callback is still sent, once', async () => {
    const { run, line } = await waitingWithoutWorkers();
    // What a worker does before it dies: the claim writes the callback in the same atomic step.
    expect(
      await h.rt.waits.takeReply(
        line,
        buttonReply(defined(run.buttonIds[0], 'first button id'), 'Да', 'wamid.reply-1'),
      ),
    ).toBe(true);
    expect(await h.rt.outbox.pendingCount(h.memberId)).toBe(1);
    expect(allSends(h, run.eventToken)).toHaveLength(0);
    const worker = await h.startWorkerInstance();
    const done = await h.portal.waitForRun(run.eventToken, 15_000);
    expect(done.returnValues).toMatchObject({ status: 'answered', answer: 'Да' });
    // The new dispatcher counted the callback as sent and the outbox is empty (a callback leaves it only
    // once the portal answered), so no second send can still be on its way.
    await eventually(
      async () => (await counterValue(worker.metrics.callbacks, { outcome: 'sent' })) === 1,
      10_000,
      'callback counted as sent',
    );
    await settled(h);
    expect(allSends(h, run.eventToken)).toHaveLength(1);
  });

  it('an inbound job that runs twice (stalled, retried) ends one wait, never a second robot on the same phone', async () => {
    const { run: older, line } = await waitingWithoutWorkers();
    await h.startWorkerInstance();
    const newer = await startButtonsWait(h);
    await h.stopWorkers();
    const waits = h.rt.waits;
    const reply: InboundMessage = {
      id: 'wamid.same-reply',
      from: CUSTOMER,
      timestamp: String(Math.floor(Date.now() / 1000)),
      type: 'text',
      text: { body: 'Да' },
    };
    expect(await Promise.all([waits.takeReply(line, reply), waits.takeReply(line, reply)])).toEqual([true, true]);
    expect(await waits.takeReply(line, reply)).toBe(true);
    expect(await waitField(h, newer, 'status')).toBe('answered');
    expect(await waitField(h, older, 'status')).toBe('open');
    expect(await h.rt.outbox.pendingCount(h.memberId)).toBe(1);
  });

  it('a dispatcher that dies holding a leased batch: the lease runs out and the callback goes once', async () => {
    const { run, line } = await waitingWithoutWorkers();
    await h.rt.waits.takeReply(
      line,
      buttonReply(defined(run.buttonIds[1], 'second button id'), 'Нет', 'wamid.reply-2'),
    );
    const leaseMs = 1500;
    const claimedAt = Date.now();
    const leased = await callbackScripts.claimCallbacks(
      h.rt.redis,
      h.rt.keys.callbackPending(h.memberId),
      h.rt.keys.callbackDue(h.memberId),
      claimedAt,
      50,
      leaseMs,
    );
    expect(leased).toHaveLength(1);
    await h.startWorkerInstance();
    // The new dispatcher runs while the lease still holds (precondition: otherwise nothing is proved).
    expect(Date.now()).toBeLessThan(claimedAt + leaseMs);
    await h.portal.waitForRun(run.eventToken, 15_000);
    await settled(h);
    // Exactly one send, and not before the lease ran out (the simulator stamps each call; same clock).
    expect(allSends(h, run.eventToken)).toHaveLength(1);
    expect(acceptedSends(h, run.eventToken)).toHaveLength(1);
    expect(defined(acceptedSends(h, run.eventToken)[0], 'accepted send').at).toBeGreaterThanOrEqual(
      claimedAt + leaseMs,
    );
  });

  it.each(['timeout first', 'reply first', 'both at once'])(
    'a reply racing the time-out (%s) has exactly one outcome',
    async (order) => {
      h = await createRegisteredHarness();
      const run = await startButtonsWait(h);
      const waitId = waitIdOf(run);
      const waits = h.rt.waits;
      const inbound = await jobLog(h, h.rt.queues.inbound);
      if (order === 'timeout first') {
        await waits.onTimeout(h.memberId, waitId);
        await tap(h, run, 0, 'Да');
      } else if (order === 'reply first') {
        await tap(h, run, 0, 'Да');
        await eventually(async () => (await waitField(h, run, 'status')) !== 'open', 10_000, 'answered');
        await waits.onTimeout(h.memberId, waitId);
      } else {
        await Promise.all([waits.onTimeout(h.memberId, waitId), tap(h, run, 0, 'Да')]);
      }
      const done = await h.portal.waitForRun(run.eventToken, 10_000);
      const expected =
        order === 'timeout first'
          ? 'timeout'
          : order === 'reply first'
            ? 'answered'
            : String(done.returnValues?.status);
      expect(['timeout', 'answered']).toContain(done.returnValues?.status);
      expect(done.returnValues?.status).toBe(expected);
      // The reply's job finished and nothing is in flight: a second outcome would be in the outbox or sent.
      await inbound.completed(1, 'the reply processed');
      await settled(h);
      expect(allSends(h, run.eventToken)).toHaveLength(1);
      if (done.returnValues?.status === 'timeout') expect(await ordinaryTexts(h)).toEqual(['Да']);
    },
  );

  it('the overdue sweep ends a wait whose timer job is gone, even when the stage cannot be read', async () => {
    h = await createRegisteredHarness();
    const run = await startButtonsWait(h);
    const waitId = waitIdOf(run);
    await h.rt.queues.waitTimeout.obliterate({ force: true });
    await h.rt.redis.zadd(h.rt.keys.openWaits(h.memberId), Date.now() - 3600_000, waitId);
    h.portal.expireAccessToken();
    await h.portal.stop();
    expect(await h.rt.waits.sweepOverdue(h.memberId, 600_000)).toBe(1);
    expect(await waitField(h, run, 'status')).toBe('timeout');
    expect(await h.rt.outbox.pendingCount(h.memberId)).toBe(1);
  });

  describe('Redis restarted (AOF)', () => {
    let server: LocalRedisServer;
    beforeAll(async () => {
      server = await startRedisServer();
    });
    afterAll(async () => {
      await server.stop();
    });

    it('keeps 1,000 open waits resolvable', async () => {
      h = await createHarness({ redisUrl: server.url, startWorkers: false });
      // Every acknowledged write is on disk before the restart: fsync per write instead of once a
      // second, so the test needs no sleep for the "everysec" flush and proves what it says.
      await h.redis.config('SET', 'appendfsync', 'always');
      expect(await h.redis.config('GET', 'appendonly')).toEqual(['appendonly', 'yes']);
      const waits = h.rt.waits;
      const now = Date.now();
      for (let i = 0; i < 1000; i += 1) {
        await waits.store.open({
          id: `wait${i}`,
          memberId: h.memberId,
          lineId: 'main',
          phone: `7916${String(1000000 + i)}`,
          kind: 'robot',
          purpose: 'reply',
          eventToken: `664fa13bbbb410.${i}|A40364_79843_85254_57332|MS1ekdI0CvXi8ycL8qNIn96hak8JEndG.${'a'.repeat(64)}`,
          workflowId: `664fa13bbbb410.${i}`,
          documentId: `DEAL_${i}`,
          stageAtStart: '',
          createdAt: now,
          deadline: now + 86400_000,
          messageId: '',
          buttons: [
            { id: `w:wait${i}:1`, title: 'Да' },
            { id: `w:wait${i}:2`, title: 'Нет' },
          ],
          options: {
            mode: 'button',
            keywords: [],
            regex: '',
            reaskText: '',
            reaskMax: 1,
            afterReask: 'ignore',
            stopOnOperator: false,
          },
          deliveryTarget: '',
          baseReturn: { status: 'sent', message_id: `wamid.${i}` },
          lang: 'ru',
        });
      }
      await server.restart();
      await eventually(async () => (await h.redis.ping()) === 'PONG', 10_000, 'redis back');
      expect(await waits.store.countOpen(h.memberId)).toBe(1000);
      const line = await h.rt.lines.get(h.memberId, 'main');
      if (!line) throw new Error('line lost');
      let resumed = 0;
      for (let i = 0; i < 1000; i += 1) {
        const message = { ...buttonReply(`w:wait${i}:2`, 'Нет', `wamid.r${i}`), from: `7916${String(1000000 + i)}` };
        if (await waits.takeReply(line, message)) resumed += 1;
      }
      expect(resumed).toBe(1000);
      expect(await waits.store.countOpen(h.memberId)).toBe(0);
      expect(await h.rt.outbox.pendingCount(h.memberId)).toBe(1000);
    });
  });
});
