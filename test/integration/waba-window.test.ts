import { cloudActionRunner } from '../helpers/cloud-actions';
import { defined } from '../helpers/defined';
import { eventually, type Harness, LINE } from '../helpers/harness';
import { createManualClock, type ManualClock } from '../helpers/manual-clock';
import { jobLog } from '../helpers/signals';
import {
  createWabaHarness,
  customerWrites,
  DAY,
  RECONNECT_FALLBACK,
  runContinueButtons,
  tapQuickReply,
} from '../helpers/waba';
import { CUSTOMER } from '../helpers/waits';

type Body = { type?: string; template?: { name: string; components?: Array<Record<string, unknown>> } };

// Issue 13, "the 24-hour window": decided with the injected clock before anything is sent.
describe('the 24-hour window', () => {
  let h: Harness;
  let clock: ManualClock;
  const { run, deal } = cloudActionRunner(() => h);
  beforeEach(async () => {
    clock = createManualClock(Date.now());
    h = await createWabaHarness(clock);
  });
  afterEach(async () => {
    await h.close();
  });

  it('"Can I write freely?" follows the last customer message; a closed window fails before sending', async () => {
    const wroteAt = clock.now();
    await customerWrites(h, 'Привет');
    // One small string per customer, with a TTL (31 days: "last wrote" is still known a month later).
    const kept = h.rt.keys.customerWindow(h.memberId, 'main', CUSTOMER);
    expect(await h.redis.get(kept)).toBe(String(Math.floor(wroteAt / 1000)));
    expect(await h.redis.ttl(kept)).toBeGreaterThan(30 * 86400);
    const open = await run('wa_check_window', { phone: CUSTOMER });
    expect(open.values).toMatchObject({
      window_open: 'Y',
      window_state: 'open',
      last_inbound_at: new Date(Math.floor(wroteAt / 1000) * 1000).toISOString(),
      window_closes_at: new Date(Math.floor(wroteAt / 1000) * 1000 + DAY).toISOString(),
    });
    const text = await run('wa_send_text', { phone: CUSTOMER, text: 'Ваш заказ готов' });
    expect(text.values).toMatchObject({ status: 'sent', sent_as: 'message' });
    expect((text.bodies[0] as Body).type).toBe('text');

    clock.advance(DAY + 60_000);
    const closed = await run('wa_check_window', { phone: CUSTOMER });
    expect(closed.values).toMatchObject({ window_open: 'N', window_state: 'closed' });
    const refused = await run('wa_send_text', { phone: CUSTOMER, text: 'Ваш заказ готов' });
    expect(refused.values).toMatchObject({ status: 'error', error_code: 'window_closed' });
    expect(refused.log).toContain('the window closed at');
    // Decided before sending: the simulator never saw the request.
    expect(refused.attempts).toBe(0);
  });

  it('a customer quiet for a week gets the template instead, and the buttons wait ends with their tap', async () => {
    await customerWrites(h, 'Интересует доставка');
    clock.advance(7 * DAY);
    const dealId = h.portal.createDeal({ stageId: 'NEW' });
    const documentId: [string, string, string] = ['crm', 'CCrmDocumentDeal', `DEAL_${dealId}`];
    const before = h.whatsapp.sent().length;
    const started = await h.portal.runRobot({
      code: 'wa_send_buttons',
      documentId,
      properties: {
        phone: CUSTOMER,
        body: 'Продолжим оформление?',
        buttons: ['Да', 'Нет'],
        wait_reply: 'Y',
        if_window_closed: 'template',
        fallback_template: 'reconnect',
        fallback_body_params: ['Иван'],
      },
    });
    expect(started.httpStatus).toBe(200);
    const sent = await eventually(() => h.whatsapp.sent()[before], 10_000, 'the template');
    const body = sent.body as Body;
    expect(body.type).toBe('template');
    expect(body.template?.name).toBe('reconnect');
    const buttons = (body.template?.components ?? []).filter((c) => c.type === 'button');
    expect(buttons.map((b) => b.index)).toEqual(['0', '1']);
    const payloads = buttons.map((b) => (b.parameters as Array<{ payload: string }>)[0]?.payload ?? '');
    expect(payloads[1]).toMatch(/^w:[A-Za-z0-9_-]+:2$/);
    // Sent as a template: no 131047 follows, the wait stays open until the customer taps "Нет".
    await h.whatsapp.deliverInbound({
      phoneNumberId: LINE.phoneNumberId,
      from: CUSTOMER,
      message: { type: 'button', payload: payloads[1] ?? '', text: 'Нет' },
      contextId: sent.wamid,
    });
    const done = await h.portal.waitForRun(started.run.eventToken, 10_000);
    expect(done.returnValues).toMatchObject({
      status: 'answered',
      answer: 'Нет',
      answer_index: '2',
      message_id: sent.wamid,
      sent_as: 'template',
    });
    // The tap is a customer message: the window is open again.
    const again = await run('wa_check_window', { phone: CUSTOMER }, deal());
    expect(again.values).toMatchObject({ window_open: 'Y' });
  });

  it('window state unknown: the provider refusal (131047) takes the same option', async () => {
    // No customer message on this line yet, and the line is new: the app cannot know, WhatsApp decides.
    h.whatsapp.failNext({ code: 131047 });
    const failed = await run('wa_send_text', { phone: CUSTOMER, text: 'Здравствуйте' });
    expect(failed.values).toMatchObject({ status: 'error', error_code: 'window_closed' });
    h.whatsapp.failNext({ code: 131047 });
    const instead = await run('wa_send_text', { phone: CUSTOMER, text: 'Здравствуйте', ...RECONNECT_FALLBACK });
    expect(instead.values).toMatchObject({ status: 'sent', sent_as: 'template' });
    expect(instead.bodies.map((b) => (b as Body).type)).toEqual(['template']);
    expect(instead.log).toContain('sent template reconnect instead');
  });

  it('131047 after acceptance (state unknown): the wait fails with window_closed, or the template goes and is waited on', async () => {
    // The refusal waits for the test's word: it comes only once the send is recorded (the robot's job done).
    h.whatsapp.windowRefusals('held');
    const calls = await jobLog(h, h.rt.queues.runAction);
    // Nobody has written to this new line: the app cannot tell, so the message goes; WhatsApp refuses it later.
    const plain = await runContinueButtons(h, deal());
    await calls.completed(1, 'the plain buttons sent');
    await h.whatsapp.releaseRefusals();
    const failed = await h.portal.waitForRun(plain.run.eventToken, 10_000);
    expect(failed.returnValues).toMatchObject({ status: 'error', error_code: 'window_closed' });

    const before = h.whatsapp.sent().length;
    const withTemplate = await runContinueButtons(h, deal(), RECONNECT_FALLBACK);
    await calls.completed(2, 'the buttons with a fallback sent');
    await h.whatsapp.releaseRefusals();
    const template = await eventually(() => h.whatsapp.sent()[before + 1], 10_000, 'the late template');
    expect(h.whatsapp.sent()[before]?.body).toMatchObject({ type: 'interactive' });
    expect((template.body as Body).template?.name).toBe('reconnect');
    await tapQuickReply(h, template, 0, 'Да');
    const done = await h.portal.waitForRun(withTemplate.run.eventToken, 10_000);
    expect(done.returnValues).toMatchObject({
      status: 'answered',
      answer: 'Да',
      message_id: template.wamid,
      sent_as: 'template',
    });
  });

  it('131047 before the send is recorded: the sender itself sends the fallback template, once, and waits on it', async () => {
    const statuses = await jobLog(h, h.rt.queues.inbound);
    // The refusal is processed before the send's answer reaches the app (webhook first).
    h.whatsapp.windowRefusals('before-answer', async () => {
      await statuses.completed(1, 'the refusal processed');
    });
    const before = h.whatsapp.sent().length;
    const started = await runContinueButtons(h, deal(), RECONNECT_FALLBACK);
    const template = await eventually(() => h.whatsapp.sent()[before + 1], 10_000, 'the template');
    expect(h.whatsapp.sent()[before]?.body).toMatchObject({ type: 'interactive' });
    expect((template.body as Body).template?.name).toBe('reconnect');
    await tapQuickReply(h, template, 1, 'Нет');
    const done = await h.portal.waitForRun(started.run.eventToken, 10_000);
    expect(done.returnValues).toMatchObject({ status: 'answered', answer: 'Нет', message_id: template.wamid });
    expect(done.returnValues).toMatchObject({ sent_as: 'template' });
    expect(h.whatsapp.sent().length).toBe(before + 2);
  });

  it('the simulator enforces the window like Meta: accepted, then a failed status with 131047', async () => {
    const statuses = await jobLog(h, h.rt.queues.inbound);
    // The provider called directly (no window check of the app's): what the real service does.
    const provider = h.rt.providerFor(defined((await h.rt.lines.get(h.memberId, 'main')) ?? undefined, 'the line'));
    const sent = await provider.send({ to: CUSTOMER, content: { type: 'text', body: 'Привет' } });
    expect(sent.providerMessageId).toMatch(/^wamid\./);
    expect(await statuses.completed(1, 'the failed status')).toEqual(['status_failed']);
    expect(h.whatsapp.attempts().at(-1)).toMatchObject({ httpStatus: 200, wamid: sent.providerMessageId });
  });
});
