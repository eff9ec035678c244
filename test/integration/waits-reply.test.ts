import { createRegisteredHarness, eventually, type Harness, LINE } from '../helpers/harness';
import { counterValue, jobLog, settled } from '../helpers/signals';
import {
  acceptedSends,
  allSends,
  CUSTOMER,
  ordinaryTexts,
  say,
  startButtonsWait,
  tap,
  waitField,
  waitIdOf,
} from '../helpers/waits';

// Resuming the robot: which wait a reply ends, races, time-outs and late replies. Match modes, limits and
// runs that do not wait: waits-reply-modes.test.ts.
describe('wait for the reply', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await createRegisteredHarness();
  });
  afterEach(async () => {
    await h.close();
  });

  it('stores the wait before the message leaves; button ids name the wait, never the event token', async () => {
    const run = await startButtonsWait(h);
    for (const id of run.buttonIds) {
      expect(id).toMatch(/^w:[A-Za-z0-9_-]{16,}:\d$/);
      expect(id).not.toContain(run.workflowId);
    }
    const waitId = waitIdOf(run);
    // Its time-out is its deadline in the portal's deadline set (no job per wait).
    const deadline = Number(await h.redis.zscore(h.rt.keys.openWaits(h.memberId), waitId));
    expect(deadline - Date.now()).toBeGreaterThan(23 * 3600_000);
    expect(Number(await h.redis.zscore(h.rt.keys.waitDeadlinePortals(), h.memberId))).toBeLessThanOrEqual(deadline);
    expect(await h.rt.queues.waitTimeout.count()).toBe(0);
    expect(allSends(h, run.eventToken)).toHaveLength(0);
  });

  it('a button reply resumes the robot with the right values', async () => {
    const run = await startButtonsWait(h);
    const reply = await tap(h, run, 1, 'Нет');
    const done = await h.portal.waitForRun(run.eventToken, 10_000);
    expect(done.returnValues).toMatchObject({
      status: 'answered',
      answer: 'Нет',
      answer_index: '2',
      answer_id: run.buttonIds[1],
      reply_text: 'Нет',
      reply_message_id: reply.messageId,
      message_id: run.wamid,
    });
    expect(String(done.returnValues?.answered_at)).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(done.logMessage).toContain('"Нет"');
    expect(await ordinaryTexts(h)).toEqual([]);
  });

  it('a text reply quoting the message (context.id) resumes it', async () => {
    const run = await startButtonsWait(h);
    await say(h, 'перенести', { contextId: run.wamid });
    const done = await h.portal.waitForRun(run.eventToken, 10_000);
    expect(done.returnValues).toMatchObject({ status: 'answered', answer: 'Перенести', answer_index: '3' });
  });

  it.each([
    ['Да', 'Да', '1'],
    [' да ', 'Да', '1'],
    ['2', 'Нет', '2'],
  ])('plain text %p counts as button %p', async (text, answer, index) => {
    const run = await startButtonsWait(h);
    await say(h, text);
    const done = await h.portal.waitForRun(run.eventToken, 10_000);
    expect(done.returnValues).toMatchObject({ status: 'answered', answer, answer_index: index, reply_text: text });
  });

  it('two concurrent identical webhooks resume once', async () => {
    const run = await startButtonsWait(h);
    const inbound = await jobLog(h, h.rt.queues.inbound);
    const first = await tap(h, run, 0, 'Да');
    await Promise.all([tap(h, run, 0, 'Да', { id: first.messageId }), tap(h, run, 0, 'Да', { id: first.messageId })]);
    await h.portal.waitForRun(run.eventToken, 10_000);
    // Every delivery was answered and all work has finished: one job took the reply, nothing else is queued or pending.
    expect(await counterValue(h.rt.metrics.webhooks, { outcome: 'duplicate' })).toBe(2);
    expect(await inbound.completed(1)).toEqual(['taken_by_wait']);
    await settled(h);
    expect(await inbound.finished()).toHaveLength(1);
    expect(allSends(h, run.eventToken)).toHaveLength(1);
  });

  it('two different replies racing: only the first wins, the other is an ordinary message', async () => {
    const run = await startButtonsWait(h);
    await Promise.all([tap(h, run, 0, 'Да'), tap(h, run, 1, 'Нет')]);
    await h.portal.waitForRun(run.eventToken, 10_000);
    await eventually(async () => (await ordinaryTexts(h)).length === 1, 5_000, 'loser stored as ordinary');
    await settled(h);
    expect(allSends(h, run.eventToken)).toHaveLength(1);
  });

  it('a late reply after the answer never resumes anything and goes on as an ordinary message', async () => {
    const run = await startButtonsWait(h);
    await tap(h, run, 0, 'Да');
    await h.portal.waitForRun(run.eventToken, 10_000);
    await say(h, 'ещё вопрос');
    await tap(h, run, 1, 'Нет');
    await eventually(async () => (await ordinaryTexts(h)).length === 2, 5_000, 'late replies stored');
    await settled(h);
    expect(allSends(h, run.eventToken)).toHaveLength(1);
  });

  it('times out durably with status=timeout (the portal timeout_duration caps the wait)', async () => {
    const run = await startButtonsWait(h, { timeoutDuration: 1 });
    const done = await h.portal.waitForRun(run.eventToken, 10_000);
    expect(done.returnValues).toMatchObject({ status: 'timeout', answer: '', message_id: run.wamid });
    await tap(h, run, 0, 'Да');
    await eventually(async () => (await ordinaryTexts(h)).length === 1, 5_000, 'late reply stored');
    await settled(h);
    expect(allSends(h, run.eventToken)).toHaveLength(1);
  });

  it('two waits to one phone answered in reverse order resolve exactly by button id', async () => {
    const a = await startButtonsWait(h);
    const b = await startButtonsWait(h);
    await tap(h, b, 2, 'Перенести');
    await tap(h, a, 0, 'Да');
    expect((await h.portal.waitForRun(b.eventToken, 10_000)).returnValues).toMatchObject({ answer: 'Перенести' });
    expect((await h.portal.waitForRun(a.eventToken, 10_000)).returnValues).toMatchObject({ answer: 'Да' });
  });

  it('a text reply with two open waits goes to the newest one and says so', async () => {
    const older = await startButtonsWait(h);
    const newer = await startButtonsWait(h);
    await say(h, 'Да');
    const done = await h.portal.waitForRun(newer.eventToken, 10_000);
    expect(done.logMessage).toContain('newest of 2 open waits');
    await settled(h);
    expect(acceptedSends(h, older.eventToken)).toHaveLength(0);
  });

  it("a tap on an ended wait's button never resumes another robot waiting on the same phone", async () => {
    const old = await startButtonsWait(h);
    await tap(h, old, 0, 'Да');
    await h.portal.waitForRun(old.eventToken, 10_000);
    const current = await startButtonsWait(h);
    await tap(h, old, 1, 'Нет');
    await eventually(async () => (await ordinaryTexts(h)).includes('Нет'), 5_000, 'old tap stored as ordinary');
    await settled(h);
    expect(await waitField(h, current, 'status')).toBe('open');
    expect(allSends(h, current.eventToken)).toHaveLength(0);
  });

  it('a send that fails for good closes its wait: the next reply goes to the older wait', async () => {
    const older = await startButtonsWait(h);
    h.whatsapp.failNext({ code: 131051 });
    const dealId = h.portal.createDeal({ stageId: 'NEW' });
    const failed = await h.portal.runRobot({
      code: 'wa_send_buttons',
      documentId: ['crm', 'CCrmDocumentDeal', `DEAL_${dealId}`],
      properties: { phone: CUSTOMER, body: 'b', buttons: ['Да', 'Нет'], wait_reply: 'Y', match_mode: 'any' },
    });
    expect((await h.portal.waitForRun(failed.run.eventToken, 10_000)).returnValues).toMatchObject({
      status: 'error',
      error_code: 'unsupported_message',
    });
    await say(h, 'Да');
    expect((await h.portal.waitForRun(older.eventToken, 10_000)).returnValues).toMatchObject({
      status: 'answered',
      answer: 'Да',
    });
    expect(allSends(h, failed.run.eventToken)).toHaveLength(1);
  });

  it("replies from a wa_id that differs from the number sent to (Meta's quirk) still resume the wait", async () => {
    h.whatsapp.setWaId('5511987654321', '551187654321');
    const run = await startButtonsWait(h, { phone: '+55 11 98765-4321', properties: { buttons: ['Sim', 'Não'] } });
    await eventually(
      async () => (await h.rt.redis.hexists(h.rt.keys.waitIndex(h.memberId), 'p:main:551187654321')) === 1,
      5_000,
      'wa_id recorded',
    );
    await h.whatsapp.deliverInbound({
      phoneNumberId: LINE.phoneNumberId,
      from: '551187654321',
      message: { type: 'text', text: 'sim' },
    });
    expect((await h.portal.waitForRun(run.eventToken, 10_000)).returnValues).toMatchObject({
      status: 'answered',
      answer: 'Sim',
    });
    expect(await h.rt.redis.hlen(h.rt.keys.waitIndex(h.memberId))).toBe(0);
  });

  it('quoting a message that only waited for delivery does not block the answer to an open question', async () => {
    const dealId = h.portal.createDeal({ stageId: 'NEW' });
    await h.portal.runRobot({
      code: 'wa_send_text',
      documentId: ['crm', 'CCrmDocumentDeal', `DEAL_${dealId}`],
      properties: { text: 'FYI', phone: CUSTOMER, wait_for: 'read' },
    });
    const info = await eventually(
      () => h.whatsapp.sent().find((s) => (s.body as { type: string }).type === 'text'),
      10_000,
      'text sent',
    );
    const question = await startButtonsWait(h);
    await say(h, 'Да', { contextId: info.wamid });
    expect((await h.portal.waitForRun(question.eventToken, 10_000)).returnValues).toMatchObject({
      status: 'answered',
      answer: 'Да',
    });
  });
});
