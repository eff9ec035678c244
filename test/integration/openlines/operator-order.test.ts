import { Job, UnrecoverableError } from 'bullmq';
import { AppError } from '../../../lib/errors/app-error';
import { CONNECTOR_ID } from '../../../openlines/connector';
import { createOpenLineOperatorProcessor } from '../../../workers/open-line-operator-processor';
import { eventually, type Harness, LINE } from '../../helpers/harness';
import { createManualClock } from '../../helpers/manual-clock';
import { CHAT_ID, CUSTOMER, chatWith, customerOpensChat, openLineHarness } from './openline-helpers';

/**
 * Issue 11 item 6, operator → WhatsApp: a chat's operator messages are numbered at the event door
 * and reach WhatsApp in that order, with several worker processes and a retried first message.
 */
describe('open lines: operator messages of one chat in order', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await openLineHarness({ workerInstances: 2 });
    await customerOpensChat(h);
  });
  afterEach(async () => {
    await h.close();
  });

  const operator = (text: string) =>
    h.portal.operatorWrites({ connector: CONNECTOR_ID, line: 1, chatId: CHAT_ID, text });
  const sentTexts = () =>
    h.whatsapp
      .sent()
      .filter((s) => s.to === CUSTOMER)
      .map((s) => (s.body as { text?: { body: string } }).text?.body);

  it('a first message retried after a failure is not overtaken by the second (2 worker processes)', async () => {
    h.whatsapp.failNext({ code: 131000, httpStatus: 500, times: 1, phoneNumberId: LINE.phoneNumberId });
    const texts = ['first', 'second', 'third'];
    for (const text of texts) await operator(text);
    await eventually(() => sentTexts().length === 3, 20_000, 'three operator messages on WhatsApp');
    expect(sentTexts()).toEqual(texts);
    // The first was refused once and retried: the others waited for it.
    const refused = h.whatsapp.attempts().filter((a) => a.httpStatus === 500);
    expect(refused).toHaveLength(1);
  });

  it('a first message refused for good gets its note in the chat, and the second goes on after it', async () => {
    // 131047: the 24-hour window is closed (not retried).
    h.whatsapp.failNext({ code: 131047, times: 1, phoneNumberId: LINE.phoneNumberId });
    await operator('refused one');
    await operator('after the refusal');
    await eventually(() => sentTexts().length === 1, 20_000, 'the second on WhatsApp');
    expect(sentTexts()).toEqual(['after the refusal']);
    const chat = await chatWith(h, 4);
    const note = await eventually(() => chat.messages.find((m) => m.author === 'system'), 10_000, 'the refusal note');
    expect(note.text).toMatch(/^Not sent to WhatsApp: More than 24 hours/);
  });

  it('a message failed for good (not retryable) with attempts left is settled and not tried again', async () => {
    const chatSeq = await h.rt.operatorOrder.numberAtReceipt(h.memberId, CHAT_ID, 'pm-1', 'olop-pm-1');
    // A non-retryable failure before the send (outside the part that turns refusals into notes).
    const process = createOpenLineOperatorProcessor({
      ...h.rt,
      waits: {
        onOperatorReply: async () => {
          throw new AppError('bad_input', 'refused for good');
        },
      },
    });
    const data = {
      memberId: h.memberId,
      openLineId: '1',
      chatId: CHAT_ID,
      portalChatId: '1',
      portalMessageId: 'pm-1',
      operatorId: '1',
      text: 'hello',
      files: [],
      receivedAt: Date.now(),
      chatSeq,
    };
    const job = new Job(h.rt.queues.openLineOperator, 'operator', data, { attempts: 8 }, 'olop-pm-1');
    // BullMQ must not retry what was settled: a retry could go after the chat's next message.
    await expect(process(job)).rejects.toBeInstanceOf(UnrecoverableError);
    const order = h.rt.keys.openLineOperatorOrder(h.memberId, CHAT_ID);
    expect(await h.redis.hget(order, 'next')).toBe(String(chatSeq + 1));
  });
});

describe('open lines: an operator message number whose job never came', () => {
  const clock = createManualClock();
  let h: Harness;
  afterEach(async () => {
    await h.close();
  });

  it('holds the chat for the gap time-out on the clock, then the next goes on', async () => {
    h = await openLineHarness({ clock });
    await customerOpensChat(h);
    // Number 1 was given at the door, and its job was never queued (the process died in between).
    expect(await h.rt.operatorOrder.numberAtReceipt(h.memberId, CHAT_ID, 'lost', 'olop-lost')).toBe(1);
    await h.portal.operatorWrites({ connector: CONNECTOR_ID, line: 1, chatId: CHAT_ID, text: 'second' });
    const order = h.rt.keys.openLineOperatorOrder(h.memberId, CHAT_ID);
    await eventually(async () => (await h.redis.hget(order, 'gap')) === `${clock.now()}|1`, 10_000, 'the gap seen');
    expect(h.whatsapp.sent().filter((s) => s.to === CUSTOMER)).toHaveLength(0);
    clock.advance(30_000);
    const sent = await eventually(
      () => h.whatsapp.sent().find((s) => s.to === CUSTOMER),
      10_000,
      'the second on WhatsApp after the time-out',
    );
    expect(sent.body).toMatchObject({ text: { body: 'second' } });
    await eventually(async () => (await h.redis.hget(order, 'next')) === '3', 5000, 'number 2 settled');
  });
  it('after the time-out, three held messages still go one by one in order (2 worker processes)', async () => {
    h = await openLineHarness({ clock, workerInstances: 2 });
    await customerOpensChat(h);
    expect(await h.rt.operatorOrder.numberAtReceipt(h.memberId, CHAT_ID, 'lost', 'olop-lost')).toBe(1);
    const texts = ['second', 'third', 'fourth'];
    for (const text of texts)
      await h.portal.operatorWrites({ connector: CONNECTOR_ID, line: 1, chatId: CHAT_ID, text });
    const order = h.rt.keys.openLineOperatorOrder(h.memberId, CHAT_ID);
    await eventually(async () => (await h.redis.hget(order, 'gap')) === `${clock.now()}|1`, 10_000, 'the gap seen');
    // The first one to go is refused once (retried after a second): the others must wait for it.
    h.whatsapp.failNext({ code: 131000, httpStatus: 500, times: 1, phoneNumberId: LINE.phoneNumberId });
    clock.advance(30_000);
    const attempts = () =>
      h.whatsapp
        .attempts()
        .map((a) => [(a.body as { text?: { body: string } }).text?.body, a.httpStatus])
        .filter(([text]) => text !== undefined);
    await eventually(() => attempts().length === 4, 20_000, 'three operator messages on WhatsApp');
    expect(attempts()).toEqual([
      ['second', 500],
      ['second', 200],
      ['third', 200],
      ['fourth', 200],
    ]);
    await eventually(async () => (await h.redis.hget(order, 'next')) === '5', 5000, 'number 4 settled');
    expect(await h.redis.hkeys(order)).not.toContain('j:1');
  });
  it('a message held while its predecessor retries looks again less and less often (back-off)', async () => {
    h = await openLineHarness({ clock });
    await customerOpensChat(h);
    // Number 1's job waits a minute to retry (a real delayed job): number 2 is held all that time.
    const queue = h.rt.queues.openLineOperator;
    const data = {
      memberId: h.memberId,
      openLineId: '1',
      chatId: CHAT_ID,
      portalChatId: '1',
      portalMessageId: 'held',
      operatorId: '1',
      text: 'held',
      files: [],
      receivedAt: Date.now(),
    };
    await queue.add('operator', data, { jobId: 'olop-held', delay: 60_000 });
    expect(await h.rt.operatorOrder.numberAtReceipt(h.memberId, CHAT_ID, 'held', 'olop-held')).toBe(1);
    await h.portal.operatorWrites({ connector: CONNECTOR_ID, line: 1, chatId: CHAT_ID, text: 'second' });
    // Its next look is later each time (at first 0.5 s): at least 2 s ahead once it has waited that long.
    await eventually(
      async () => {
        const held = (await queue.getJobs(['delayed'])).find((j) => j.id !== 'olop-held');
        const delayed = queue.keys.delayed ?? 'none';
        const score = held?.id ? await h.redis.zscore(delayed, held.id) : null;
        return score !== null && Math.floor(Number(score) / 0x1000) - Date.now() > 2000;
      },
      10_000,
      'the held message looking again 2 s later or more',
    );
    expect(h.whatsapp.sent().filter((s) => s.to === CUSTOMER)).toHaveLength(0);
  });
});
