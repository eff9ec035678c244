import { defined } from '../helpers/defined';
import { createRegisteredHarness, eventually, type Harness, LINE } from '../helpers/harness';
import { settled } from '../helpers/signals';
import { CUSTOMER, ordinaryTexts, say, startButtonsWait } from '../helpers/waits';

// How a reply is matched (keywords, buttons, regex, any reply) with its re-asks, the limits checked
// before a buttons message is sent, and runs that do not wait. Resuming and races: waits-reply.test.ts
// (whose describe title this file keeps, so every test keeps its full name).
describe('wait for the reply', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await createRegisteredHarness();
  });
  afterEach(async () => {
    await h.close();
  });

  it('keywords mode with a re-ask, then the keyword answers', async () => {
    const run = await startButtonsWait(h, {
      properties: {
        match_mode: 'keywords',
        keywords: 'да=yes\nнет=no',
        reask_text: 'Ответьте да или нет',
        reask_max: '1',
      },
    });
    await say(h, 'а сколько стоит?');
    await eventually(
      () => h.whatsapp.sent().some((s) => (s.body as { text?: { body: string } }).text?.body === 'Ответьте да или нет'),
      5_000,
      're-ask sent',
    );
    await say(h, 'Нет, спасибо');
    const done = await h.portal.waitForRun(run.eventToken, 10_000);
    expect(done.returnValues).toMatchObject({ status: 'answered', answer: 'no', reply_text: 'Нет, спасибо' });
    expect(await ordinaryTexts(h)).toEqual(['а сколько стоит?']);
  });

  it('button mode ends the wait with an empty answer after the re-asks when asked to', async () => {
    const run = await startButtonsWait(h, { properties: { reask_max: '1', after_reask: 'end' } });
    await say(h, 'не знаю');
    await eventually(
      () =>
        h.whatsapp
          .sent()
          .some((s) => (s.body as { text?: { body: string } }).text?.body === 'Please choose one of the options'),
      5_000,
      're-ask sent',
    );
    await say(h, 'всё ещё не знаю');
    const done = await h.portal.waitForRun(run.eventToken, 10_000);
    expect(done.returnValues).toMatchObject({ status: 'answered', answer: '', reply_text: 'всё ещё не знаю' });
  });

  it('regex mode takes no re-ask: an off-pattern message goes on as ordinary and the wait stays', async () => {
    const run = await startButtonsWait(h, {
      properties: { match_mode: 'regex', regex: '(\\d{1,2}:\\d\\d)', after_reask: 'end' },
    });
    await say(h, 'не знаю');
    await eventually(async () => (await ordinaryTexts(h)).includes('не знаю'), 5_000, 'ordinary');
    await settled(h);
    expect(h.whatsapp.sent()).toHaveLength(1);
    await say(h, 'в 9:15');
    expect((await h.portal.waitForRun(run.eventToken, 10_000)).returnValues).toMatchObject({ answer: '9:15' });
  });

  it('"any reply" counts a photo too', async () => {
    const run = await startButtonsWait(h, { properties: { match_mode: 'any' } });
    await h.whatsapp.deliverInbound({
      phoneNumberId: LINE.phoneNumberId,
      from: CUSTOMER,
      message: { type: 'image', mediaId: '123', mimeType: 'image/jpeg' },
    });
    expect((await h.portal.waitForRun(run.eventToken, 10_000)).returnValues).toMatchObject({
      status: 'answered',
      answer: '[image]',
    });
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
      [{ buttons: ['1', '2', '3', '4'] }, /Buttons \(up to 3\): at most 3 values/],
      [{ buttons: ['x'.repeat(21)] }, /Buttons \(up to 3\), line 1: at most 20 characters/],
      [{ header: 'h'.repeat(61) }, /Header: at most 60 characters/],
      [{ footer: 'f'.repeat(61) }, /Footer: at most 60 characters/],
      [{ buttons: ['Да', 'да'] }, /Answer options \(buttons or list rows\): titles must be unique/],
    ];
    for (const [properties, message] of cases) {
      const dealId = h.portal.createDeal({ stageId: 'NEW' });
      const { run } = await h.portal.runRobot({
        code: 'wa_send_buttons',
        documentId: ['crm', 'CCrmDocumentDeal', `DEAL_${dealId}`],
        properties: { phone: CUSTOMER, body: 'b', buttons: ['Да'], wait_reply: 'Y', ...properties },
      });
      const done = await h.portal.waitForRun(run.eventToken, 10_000);
      expect(done.returnValues).toMatchObject({ status: 'error', error_code: 'invalid_property' });
      expect(String(done.returnValues?.error)).toMatch(message);
    }
    expect(h.whatsapp.attempts()).toHaveLength(0);
    expect(await h.rt.redis.zcard(h.rt.keys.openWaits(h.memberId))).toBe(0);
  });

  it('without "wait for the reply" the robot returns at once with the message id', async () => {
    const dealId = h.portal.createDeal({ stageId: 'NEW' });
    const { run } = await h.portal.runRobot({
      code: 'wa_send_buttons',
      documentId: ['crm', 'CCrmDocumentDeal', `DEAL_${dealId}`],
      properties: { phone: CUSTOMER, body: 'b', buttons: ['A', 'B'] },
    });
    const done = await h.portal.waitForRun(run.eventToken, 10_000);
    const sent = defined(h.whatsapp.sent()[0], 'the sent message');
    expect(done.returnValues).toMatchObject({ status: 'sent', message_id: sent.wamid });
    expect(
      (
        sent.body as {
          interactive: { header?: unknown; action: { buttons: Array<{ reply: { id: string; title: string } }> } };
        }
      ).interactive.action.buttons.map((b) => b.reply),
    ).toEqual([
      { id: 'b:1', title: 'A' },
      { id: 'b:2', title: 'B' },
    ]);
  });

  it('a run that does not wait for results (use_subscription=N) opens no wait', async () => {
    await h.rt.queues.enqueueRunAction({
      memberId: h.memberId,
      code: 'wa_send_buttons',
      kind: 'robot',
      eventToken: 'wf.1|A1_2_3_4|nowait.sig',
      workflowId: 'wf.1',
      documentId: ['crm', 'CCrmDocumentDeal', `DEAL_${h.portal.createDeal({ stageId: 'NEW' })}`],
      documentType: ['crm', 'CCrmDocumentDeal', 'DEAL'],
      properties: { phone: CUSTOMER, body: 'b', buttons: ['Да', 'Нет'], wait_reply: 'Y', wait_for: 'read' },
      useSubscription: false,
      receivedAt: Date.now(),
    });
    const sent = await eventually(() => h.whatsapp.sent()[0], 10_000, 'buttons sent');
    expect(
      (
        sent.body as { interactive: { action: { buttons: Array<{ reply: { id: string } }> } } }
      ).interactive.action.buttons.map((b) => b.reply.id),
    ).toEqual(['b:1', 'b:2']);
    await eventually(
      async () => (await h.rt.queues.runAction.getJobCounts('completed')).completed === 1,
      10_000,
      'job done',
    );
    expect(await h.rt.redis.zcard(h.rt.keys.openWaits(h.memberId))).toBe(0);
  });
});
