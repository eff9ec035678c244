import { type Job, Worker } from 'bullmq';
import { AppError } from '../../../lib/errors/app-error';
import { CONNECTOR_ID } from '../../../openlines/connector';
import { retryBackoffStrategy } from '../../../queues/job-retry';
import { type InboundBatch, inboundJobSchema, queueNames } from '../../../queues/job-schemas';
import { createRedis, type RedisClient } from '../../../redis/connect';
import { OpenLineOutbox } from '../../../store/open-line-outbox';
import { GAP_RECHECK_MS } from '../../../workers/open-line-gap-hold';
import { eventually, type Harness, LINE } from '../../helpers/harness';
import { createManualClock } from '../../helpers/manual-clock';
import { CHAT_ID, CUSTOMER, chatWith, openLineHarness } from './openline-helpers';

/**
 * Issue 11 item 6: a chat's messages are numbered when their webhook is received; the chat shows
 * number n only after n−1, however late n−1's job runs. No wall-clock window: the gap time-out
 * runs on the injected clock, which these tests move by hand.
 */
describe('open lines: order by the number given at receipt', () => {
  const clock = createManualClock();
  let h: Harness;
  let connection: RedisClient;
  let holder: Worker<InboundBatch> | undefined;
  beforeEach(async () => {
    h = await openLineHarness({ clock });
    connection = createRedis(h.redisUrl, 'worker');
  });
  afterEach(async () => {
    await holder?.close();
    holder = undefined;
    connection.disconnect();
    await h.close();
  });

  const say = (text: string, id?: string) =>
    h.whatsapp.deliverInbound({
      phoneNumberId: LINE.phoneNumberId,
      from: CUSTOMER,
      message: { type: 'text', text },
      id,
    });
  const order = () => h.redis.hgetall(h.rt.keys.openLineOrder(h.memberId, CHAT_ID));
  /** The chat sleeps on a missing number (the dispatcher saw the gap and let the chat go). */
  const sleepsOnGap = () => eventually(async () => (await order()).wait === '1', 10_000, 'the chat waiting on a gap');

  /**
   * The first message's webhook is received while no worker runs; its first attempt is taken by
   * hand and fails retryably (retry in a minute, wall clock): its job comes late.
   */
  async function firstMessageFailsOnce(): Promise<Job<InboundBatch>> {
    await h.stopWorkers();
    expect((await say('first')).status).toBe(200);
    holder = new Worker<InboundBatch>(queueNames.inbound, null, {
      connection,
      prefix: h.rt.queues.prefix,
      autorun: false,
      settings: { backoffStrategy: retryBackoffStrategy },
    });
    const job = await holder.getNextJob('hand');
    if (!job) throw new Error('the first message was not queued');
    expect(job.data.events).toEqual([expect.objectContaining({ chatSeq: 1 })]);
    await job.moveToFailed(
      new AppError('busy', 'first attempt fails', { retryable: true, retryAfterMs: 60_000 }),
      'hand',
    );
    expect(await job.getState()).toBe('delayed');
    return job;
  }

  it('a late inbound job cannot be overtaken: the chat shows 1 then 2', async () => {
    const late = await firstMessageFailsOnce();
    expect((await say('second')).status).toBe(200);
    await h.startWorkerInstance();
    await sleepsOnGap();
    expect(h.portal.openLineChat(CONNECTOR_ID, 1, CHAT_ID)).toBeUndefined();
    // The gap time-out passes while job 1 still waits to retry: the chat keeps waiting for it (it
    // looks again later, instead of being due at the time-out it now passed).
    clock.advance(30_001);
    await h.redis.publish(h.rt.keys.openLineWake(), h.memberId);
    const due = h.rt.keys.openLineDue(h.memberId);
    const recheck = clock.now() + GAP_RECHECK_MS;
    await eventually(async () => Number(await h.redis.zscore(due, CHAT_ID)) === recheck, 10_000, 'held, looks later');
    expect((await order()).wait).toBe('1');
    expect(h.portal.openLineChat(CONNECTOR_ID, 1, CHAT_ID)).toBeUndefined();
    // Number 1 was given with its job and its event's key: the hold can follow whichever job claims the run.
    const eventKey = inboundJobSchema.parse(late.data.events[0]).eventKey;
    expect((await order())['j:1']).toBe(`${late.id}|${eventKey}`);
    // Its retry comes: the first is shown first.
    await late.promote();
    const chat = await chatWith(h, 2);
    expect(chat.messages.map((m) => m.text)).toEqual(['first', 'second']);
    // The job that ran it claimed the run in the key the hold reads (the event's seen marker), and ran it.
    expect(await h.redis.get(h.rt.keys.webhookSeen(String(eventKey)))).toBe(`d:${late.id}`);
    await eventually(async () => (await order()).next === '3', 5000, 'number 2 settled');
    // The settled numbers' job ids are gone (the order hash keeps no field per message).
    expect(Object.keys(await order()).filter((f) => f.startsWith('j:'))).toEqual([]);
  });

  it('the missing message queued between the claim and the settle does not leave the chat asleep', async () => {
    const late = await firstMessageFailsOnce();
    expect((await say('second')).status).toBe(200);
    // The first claim of the chat (it holds only number 2) waits until number 1 is queued: the
    // dispatcher then settles on a gap that is already filled.
    const claim = OpenLineOutbox.prototype.claim;
    let interleaved = false;
    jest.spyOn(OpenLineOutbox.prototype, 'claim').mockImplementation(async function (
      this: OpenLineOutbox,
      ...args: Parameters<OpenLineOutbox['claim']>
    ) {
      const claimed = await claim.apply(this, args);
      if (!interleaved && claimed && claimed.items.length > 0) {
        interleaved = true;
        await late.promote();
        const queue = h.rt.keys.openLineQueue(h.memberId, CHAT_ID);
        await eventually(async () => (await h.redis.zcard(queue)) === 2, 10_000, 'number 1 queued');
      }
      return claimed;
    });
    try {
      await h.startWorkerInstance();
      // The clock never moves: only the arrival seen at the settle gets the chat going again.
      const chat = await chatWith(h, 2);
      expect(interleaved).toBe(true);
      expect(chat.messages.map((m) => m.text)).toEqual(['first', 'second']);
    } finally {
      jest.restoreAllMocks();
    }
  });

  it('a number whose job never comes is passed once the gap time-out has passed on the clock', async () => {
    const lost = await firstMessageFailsOnce();
    await lost.remove();
    expect((await say('second')).status).toBe(200);
    await h.startWorkerInstance();
    await sleepsOnGap();
    clock.advance(29_000);
    await h.redis.publish(h.rt.keys.openLineWake(), h.memberId);
    // Still within the time-out: the chat sleeps on (a claim clears the flag, the settle sets it again).
    await sleepsOnGap();
    expect(h.portal.openLineChat(CONNECTOR_ID, 1, CHAT_ID)).toBeUndefined();
    clock.advance(1_001);
    await h.redis.publish(h.rt.keys.openLineWake(), h.memberId);
    const chat = await chatWith(h, 1);
    expect(chat.messages.map((m) => m.text)).toEqual(['second']);
    await eventually(async () => (await order()).next === '3', 5000, 'number 2 settled');
  });

  it('messages of one webhook take the order of its payload', async () => {
    const texts = ['one', 'two', 'three'];
    const sent = await h.whatsapp.deliverInboundBatch({
      phoneNumberId: LINE.phoneNumberId,
      messages: texts.map((text) => ({ from: CUSTOMER, message: { type: 'text' as const, text } })),
    });
    expect(sent.status).toBe(200);
    const chat = await chatWith(h, 3);
    expect(chat.messages.map((m) => m.text)).toEqual(texts);
  });

  it('a repeated webhook keeps one chat message, its number, and does not stall the chat', async () => {
    await say('once', 'wamid.TWICE');
    await say('once', 'wamid.TWICE');
    // A repeat racing past the door's seen marker gets the number the first one got.
    const again = await h.rt.numberAtReceipt(
      {
        phoneNumberId: LINE.phoneNumberId,
        kind: 'message',
        event: { id: 'wamid.TWICE', from: CUSTOMER, type: 'text', text: { body: 'once' } },
        receivedAt: clock.now(),
      },
      'in-again',
    );
    expect(again).toBe(1);
    // Kept a day only (one key per message).
    const ttl = await h.redis.ttl(h.rt.keys.openLineNumberOf(h.memberId, 'wamid.TWICE'));
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(86400);
    await say('after');
    const chat = await chatWith(h, 2);
    expect(chat.messages.map((m) => m.text)).toEqual(['once', 'after']);
    expect((await order()).n).toBe('2');
  });
});
