import { createHarness, eventually, waitForRegistration, LINE, type Harness } from '../helpers/harness';
import { acceptedSends, allSends, ordinaryTexts, say, startButtonsWait, tap, waitField, CUSTOMER } from '../helpers/waits';
import { actions } from '../../actions';
import { digest } from '../../lib/hash';
import { counterValue, jobLog, settled } from '../helpers/signals';

describe('wait for the reply', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await createHarness();
    await waitForRegistration(h, actions.length);
  });
  afterEach(async () => { await h.close(); });

  it('stores the wait before the message leaves; button ids name the wait, never the event token', async () => {
    const run = await startButtonsWait(h);
    for (const id of run.buttonIds) {
      expect(id).toMatch(/^w:[A-Za-z0-9_-]{16,}:\d$/);
      expect(id).not.toContain(run.workflowId);
    }
    const waitId = run.buttonIds[0].split(':')[1];
    const wait = await h.rt.queues.waitTimeout.getJob(`wt-${digest(`${h.memberId}|${waitId}`)}`);
    expect(wait?.delay).toBeGreaterThan(23 * 3600_000);
    expect(allSends(h, run.eventToken)).toHaveLength(0);
  });

  it('a button reply resumes the robot with the right values', async () => {
    const run = await startButtonsWait(h);
    const reply = await tap(h, run, 1, 'Нет');
    const done = await h.portal.waitForRun(run.eventToken, 10_000);
    expect(done.returnValues).toMatchObject({
      status: 'answered', answer: 'Нет', answer_index: '2', answer_id: run.buttonIds[1], reply_text: 'Нет',
      reply_message_id: reply.messageId, message_id: run.wamid,
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

  it.each([['Да', 'Да', '1'], [' да ', 'Да', '1'], ['2', 'Нет', '2']])('plain text %p counts as button %p', async (text, answer, index) => {
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

  it('keywords mode with a re-ask, then the keyword answers', async () => {
    const run = await startButtonsWait(h, { properties: { match_mode: 'keywords', keywords: 'да=yes\nнет=no', reask_text: 'Ответьте да или нет', reask_max: '1' } });
    await say(h, 'а сколько стоит?');
    await eventually(() => h.whatsapp.sent().some((s) => (s.body as { text?: { body: string } }).text?.body === 'Ответьте да или нет'), 5_000, 're-ask sent');
    await say(h, 'Нет, спасибо');
    const done = await h.portal.waitForRun(run.eventToken, 10_000);
    expect(done.returnValues).toMatchObject({ status: 'answered', answer: 'no', reply_text: 'Нет, спасибо' });
    expect(await ordinaryTexts(h)).toEqual(['а сколько стоит?']);
  });

  it('button mode ends the wait with an empty answer after the re-asks when asked to', async () => {
    const run = await startButtonsWait(h, { properties: { reask_max: '1', after_reask: 'end' } });
    await say(h, 'не знаю');
    await eventually(() => h.whatsapp.sent().some((s) => (s.body as { text?: { body: string } }).text?.body === 'Please choose one of the options'), 5_000, 're-ask sent');
    await say(h, 'всё ещё не знаю');
    const done = await h.portal.waitForRun(run.eventToken, 10_000);
    expect(done.returnValues).toMatchObject({ status: 'answered', answer: '', reply_text: 'всё ещё не знаю' });
  });

  it('regex mode takes no re-ask: an off-pattern message goes on as ordinary and the wait stays', async () => {
    const run = await startButtonsWait(h, { properties: { match_mode: 'regex', regex: '(\\d{1,2}:\\d\\d)', after_reask: 'end' } });
    await say(h, 'не знаю');
    await eventually(async () => (await ordinaryTexts(h)).includes('не знаю'), 5_000, 'ordinary');
    await settled(h);
    expect(h.whatsapp.sent()).toHaveLength(1);
    await say(h, 'в 9:15');
    expect((await h.portal.waitForRun(run.eventToken, 10_000)).returnValues).toMatchObject({ answer: '9:15' });
  });

  it('"any reply" counts a photo too', async () => {
    const run = await startButtonsWait(h, { properties: { match_mode: 'any' } });
    await h.whatsapp.deliverInbound({ phoneNumberId: LINE.phoneNumberId, from: CUSTOMER, message: { type: 'image', mediaId: '123', mimeType: 'image/jpeg' } });
    expect((await h.portal.waitForRun(run.eventToken, 10_000)).returnValues).toMatchObject({ status: 'answered', answer: '[image]' });
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
    const failed = await h.portal.runRobot({ code: 'wa_send_buttons', documentId: ['crm', 'CCrmDocumentDeal', `DEAL_${dealId}`], properties: { phone: CUSTOMER, body: 'b', buttons: ['Да', 'Нет'], wait_reply: 'Y', match_mode: 'any' } });
    expect((await h.portal.waitForRun(failed.run.eventToken, 10_000)).returnValues).toMatchObject({ status: 'error', error_code: 'unsupported_message' });
    await say(h, 'Да');
    expect((await h.portal.waitForRun(older.eventToken, 10_000)).returnValues).toMatchObject({ status: 'answered', answer: 'Да' });
    expect(allSends(h, failed.run.eventToken)).toHaveLength(1);
  });

  it('regex mode takes the captured value', async () => {
    const run = await startButtonsWait(h, { properties: { match_mode: 'regex', regex: '(\\d{1,2}:\\d\\d)' } });
    await say(h, 'давайте в 14:30');
    const done = await h.portal.waitForRun(run.eventToken, 10_000);
    expect(done.returnValues).toMatchObject({ status: 'answered', answer: '14:30' });
  });

  it('"any reply" mode takes any message', async () => {
    const run = await startButtonsWait(h, { properties: { match_mode: 'any' } });
    await say(h, 'Перезвоните мне');
    const done = await h.portal.waitForRun(run.eventToken, 10_000);
    expect(done.returnValues).toMatchObject({ status: 'answered', answer: 'Перезвоните мне' });
  });

  it('limits are checked before anything is sent: 4 buttons, a 21-character title, a 61-character header', async () => {
    const cases: Array<[Record<string, string | string[]>, RegExp]> = [
      [{ buttons: ['1', '2', '3', '4'] }, /buttons: at most 3 values/],
      [{ buttons: ['x'.repeat(21)] }, /buttons\.0: each at most 20 characters/],
      [{ header: 'h'.repeat(61) }, /header: at most 60 characters/],
      [{ footer: 'f'.repeat(61) }, /footer: at most 60 characters/],
      [{ buttons: ['Да', 'да'] }, /buttons: titles must be unique/],
    ];
    for (const [properties, message] of cases) {
      const dealId = h.portal.createDeal({ stageId: 'NEW' });
      const { run } = await h.portal.runRobot({ code: 'wa_send_buttons', documentId: ['crm', 'CCrmDocumentDeal', `DEAL_${dealId}`], properties: { phone: CUSTOMER, body: 'b', buttons: ['Да'], wait_reply: 'Y', ...properties } });
      const done = await h.portal.waitForRun(run.eventToken, 10_000);
      expect(done.returnValues).toMatchObject({ status: 'error', error_code: 'invalid_property' });
      expect(String(done.returnValues?.error)).toMatch(message);
    }
    expect(h.whatsapp.attempts()).toHaveLength(0);
    expect(await h.rt.redis.zcard(h.rt.keys.openWaits(h.memberId))).toBe(0);
  });

  it('without "wait for the reply" the robot returns at once with the message id', async () => {
    const dealId = h.portal.createDeal({ stageId: 'NEW' });
    const { run } = await h.portal.runRobot({ code: 'wa_send_buttons', documentId: ['crm', 'CCrmDocumentDeal', `DEAL_${dealId}`], properties: { phone: CUSTOMER, body: 'b', buttons: ['A', 'B'] } });
    const done = await h.portal.waitForRun(run.eventToken, 10_000);
    expect(done.returnValues).toMatchObject({ status: 'sent', message_id: h.whatsapp.sent()[0].wamid });
    expect((h.whatsapp.sent()[0].body as { interactive: { header?: unknown; action: { buttons: Array<{ reply: { id: string; title: string } }> } } }).interactive.action.buttons.map((b) => b.reply)).toEqual([{ id: 'b:1', title: 'A' }, { id: 'b:2', title: 'B' }]);
  });

  it('a run that does not wait for results (use_subscription=N) opens no wait', async () => {
    await h.rt.queues.enqueueRunAction({
      memberId: h.memberId, code: 'wa_send_buttons', kind: 'robot', eventToken: 'wf.1|A1_2_3_4|nowait.sig', workflowId: 'wf.1',
      documentId: ['crm', 'CCrmDocumentDeal', `DEAL_${h.portal.createDeal({ stageId: 'NEW' })}`], documentType: ['crm', 'CCrmDocumentDeal', 'DEAL'],
      properties: { phone: CUSTOMER, body: 'b', buttons: ['Да', 'Нет'], wait_reply: 'Y', wait_for: 'read' }, useSubscription: false, receivedAt: Date.now(),
    });
    const sent = await eventually(() => h.whatsapp.sent()[0], 10_000, 'buttons sent');
    expect((sent.body as { interactive: { action: { buttons: Array<{ reply: { id: string } }> } } }).interactive.action.buttons.map((b) => b.reply.id)).toEqual(['b:1', 'b:2']);
    await eventually(async () => (await h.rt.queues.runAction.getJobCounts('completed')).completed === 1, 10_000, 'job done');
    expect(await h.rt.redis.zcard(h.rt.keys.openWaits(h.memberId))).toBe(0);
  });

  it("replies from a wa_id that differs from the number sent to (Meta's quirk) still resume the wait", async () => {
    h.whatsapp.setWaId('5511912345678', '551112345678');
    const run = await startButtonsWait(h, { phone: '+55 11 91234-5678', properties: { buttons: ['Sim', 'Não'] } });
    await eventually(async () => (await h.rt.redis.hexists(h.rt.keys.waitIndex(h.memberId), 'p:main:551112345678')) === 1, 5_000, 'wa_id recorded');
    await h.whatsapp.deliverInbound({ phoneNumberId: LINE.phoneNumberId, from: '551112345678', message: { type: 'text', text: 'sim' } });
    expect((await h.portal.waitForRun(run.eventToken, 10_000)).returnValues).toMatchObject({ status: 'answered', answer: 'Sim' });
    expect(await h.rt.redis.hlen(h.rt.keys.waitIndex(h.memberId))).toBe(0);
  });

  it('quoting a message that only waited for delivery does not block the answer to an open question', async () => {
    const dealId = h.portal.createDeal({ stageId: 'NEW' });
    await h.portal.runRobot({ code: 'wa_send_text', documentId: ['crm', 'CCrmDocumentDeal', `DEAL_${dealId}`], properties: { text: 'FYI', phone: CUSTOMER, wait_for: 'read' } });
    const info = await eventually(() => h.whatsapp.sent().find((s) => (s.body as { type: string }).type === 'text'), 10_000, 'text sent');
    const question = await startButtonsWait(h);
    await say(h, 'Да', { contextId: info.wamid });
    expect((await h.portal.waitForRun(question.eventToken, 10_000)).returnValues).toMatchObject({ status: 'answered', answer: 'Да' });
  });
});
