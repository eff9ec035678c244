import { actions } from '../../actions';
import type { GupshupTemplate } from '../../simulators/gupshup';
import { connectGupshupLine, GUPSHUP, gupshupRobotStarter } from '../helpers/gupshup';
import { createHarness, eventually, type Harness, waitForRegistration } from '../helpers/harness';
import { createManualClock, type ManualClock } from '../helpers/manual-clock';
import { jobLog } from '../helpers/signals';
import { DAY } from '../helpers/waba';
import { CUSTOMER } from '../helpers/waits';

// Issue 13: GupShup is a route to the official API, so the 24-hour window applies there too —
// tracked from GupShup's callbacks, decided before sending, the fallback template through GupShup's
// template API, and the customer's quick-reply tap (a GupShup callback) ending the robot's wait.
describe('the 24-hour window on a GupShup line', () => {
  let h: Harness;
  let clock: ManualClock;
  let reconnect: GupshupTemplate;
  beforeEach(async () => {
    clock = createManualClock(Date.now());
    h = await createHarness({ clock, whatsappNow: () => clock.now(), deadlineDrainEveryMs: 200 });
    await connectGupshupLine(h);
    h.gupshup.enforceWindow(true);
    reconnect = h.gupshup.addTemplate({
      appName: GUPSHUP.appName,
      elementName: 'reconnect',
      languageCode: 'ru',
      category: 'UTILITY',
      status: 'APPROVED',
      data: 'Здравствуйте, {{1}}! Продолжим?',
      buttons: [
        { type: 'QUICK_REPLY', text: 'Да' },
        { type: 'QUICK_REPLY', text: 'Нет' },
      ],
    });
    await waitForRegistration(h, actions.length);
  });
  afterEach(async () => {
    await h.close();
  });

  const { start } = gupshupRobotStarter(() => h);
  async function run(code: string, properties: Record<string, string | string[]>) {
    const before = h.gupshup.calls().length;
    const done = await h.portal.waitForRun((await start(code, properties)).eventToken, 10_000);
    const calls = h.gupshup.calls().slice(before);
    return {
      values: done.returnValues ?? {},
      log: done.logMessage ?? '',
      posts: calls.filter((c) => c.method === 'POST'),
    };
  }
  async function customerWrites(text: string, from = CUSTOMER) {
    const inbound = await jobLog(h, h.rt.queues.inbound);
    await h.gupshup.deliverIncoming({ appName: GUPSHUP.appName, from, content: { type: 'text', text } });
    await inbound.completed(1, 'the customer message');
  }
  const buttonsWithFallback = {
    phone: CUSTOMER,
    body: 'Продолжим оформление?',
    buttons: ['Да', 'Нет'],
    wait_reply: 'Y',
    if_window_closed: 'template',
    fallback_template: 'reconnect',
    fallback_body_params: ['Иван'],
  };

  /** A text to the customer with a fallback template for a closed window (`fallback`: which, and its values). */
  const textWithFallback = (fallback: Record<string, string | string[]>) =>
    run('wa_send_text', { phone: CUSTOMER, text: 'x', if_window_closed: 'template', ...fallback });

  it('the window follows GupShup callbacks; a closed one fails before anything is sent', async () => {
    const wroteAt = clock.now();
    await customerWrites('Привет');
    const open = await run('wa_check_window', { phone: CUSTOMER });
    expect(open.values).toMatchObject({
      window_open: 'Y',
      window_closes_at: new Date(Math.floor(wroteAt / 1000) * 1000 + DAY).toISOString(),
    });
    const text = await run('wa_send_text', { phone: CUSTOMER, text: 'Заказ готов' });
    expect(text.values).toMatchObject({ status: 'sent', sent_as: 'message' });

    clock.advance(2 * DAY);
    expect((await run('wa_check_window', { phone: CUSTOMER })).values).toMatchObject({ window_open: 'N' });
    const refused = await run('wa_send_text', { phone: CUSTOMER, text: 'Заказ готов' });
    expect(refused.values).toMatchObject({ status: 'error', error_code: 'window_closed' });
    // Decided before sending: GupShup never saw the message.
    expect(refused.posts).toEqual([]);
  });

  it('closed: the fallback template goes through GupShup with our payloads, and the tap ends the buttons wait', async () => {
    await customerWrites('Интересует доставка');
    clock.advance(7 * DAY);
    const before = h.gupshup.sent().length;
    const started = await start('wa_send_buttons', buttonsWithFallback);
    const sent = await eventually(() => h.gupshup.sent()[before], 10_000, 'the template');
    expect(sent).toMatchObject({ path: '/wa/api/v1/template/msg', message: { id: reconnect.id, params: ['Иван'] } });
    const postbacks = sent.postbackTexts ?? [];
    expect(postbacks.map((p) => p.index)).toEqual([0, 1]);
    expect(postbacks[1]?.text).toMatch(/^w:[A-Za-z0-9_-]+:2$/);
    // A template is let through: no failed event follows, the wait stays open for the tap.
    const tapped = await h.gupshup.deliverIncoming({
      appName: GUPSHUP.appName,
      from: CUSTOMER,
      replyTo: sent.messageId,
      content: { type: 'quick_reply', text: 'Нет', postbackText: postbacks[1]?.text },
    });
    expect(tapped.status).toBe(200);
    const done = await h.portal.waitForRun(started.eventToken, 10_000);
    expect(done.returnValues).toMatchObject({
      status: 'answered',
      answer: 'Нет',
      answer_index: '2',
      message_id: sent.messageId,
      sent_as: 'template',
    });
    expect((await run('wa_check_window', { phone: CUSTOMER })).values).toMatchObject({ window_open: 'Y' });
  });

  it('the template is checked against the GupShup list before sending (wrong count: nothing sent)', async () => {
    await customerWrites('Привет');
    clock.advance(2 * DAY);
    const r = await textWithFallback({
      fallback_template: 'reconnect',
      fallback_body_params: ['Иван', 'лишний'],
    });
    expect(r.values).toMatchObject({ status: 'error', error_code: 'template_params_mismatch' });
    expect(r.posts).toEqual([]);
  });

  it("a fallback with an image header goes as GupShup's media `message`; the simulator holds it to the template", async () => {
    const photo = h.gupshup.addTemplate({
      appName: GUPSHUP.appName,
      elementName: 'order_photo',
      languageCode: 'ru',
      category: 'UTILITY',
      status: 'APPROVED',
      templateType: 'IMAGE',
      data: 'Ваш заказ {{1}} собран',
    });
    await customerWrites('Привет');
    clock.advance(2 * DAY);
    const r = await textWithFallback({
      fallback_template: 'order_photo',
      fallback_body_params: ['A-17'],
      fallback_header_media: 'https://cdn.example.com/order.jpg',
    });
    expect(r.values).toMatchObject({ status: 'sent', sent_as: 'template' });
    const sent = h.gupshup.sent().at(-1);
    expect(sent).toMatchObject({
      message: { id: photo.id, params: ['A-17'] },
      headerMedia: { type: 'image', image: { link: 'https://cdn.example.com/order.jpg' } },
    });
    // Without the header GupShup refuses the template (the app says so first when it knows the template).
    const missing = await textWithFallback({
      fallback_template: 'order_photo',
      fallback_body_params: ['A-17'],
    });
    expect(missing.values).toMatchObject({ status: 'error', error_code: 'template_params_mismatch' });
    expect(missing.posts).toEqual([]);
  });

  it("GupShup's template event makes the line read its templates again (approved after review)", async () => {
    const later = h.gupshup.addTemplate({
      appName: GUPSHUP.appName,
      elementName: 'later',
      languageCode: 'ru',
      category: 'UTILITY',
      status: 'PENDING',
      data: 'Здравствуйте, {{1}}!',
    });
    await customerWrites('Привет');
    clock.advance(2 * DAY);
    const fallback = {
      phone: CUSTOMER,
      text: 'x',
      if_window_closed: 'template',
      fallback_template: 'later',
      fallback_body_params: ['Иван'],
    };
    const pending = await run('wa_send_text', fallback);
    expect(pending).toMatchObject({ values: { error_code: 'template_not_found' }, posts: [] });
    expect(pending.log).toContain('PENDING');
    const inbound = await jobLog(h, h.rt.queues.inbound);
    expect((await h.gupshup.setTemplateStatus(later.id, 'APPROVED')).status).toBe(200);
    expect(await inbound.completed(1, 'the template event')).toEqual(['templates_refreshed:1']);
    const approved = await run('wa_send_text', fallback);
    expect(approved.values).toMatchObject({ status: 'sent', sent_as: 'template' });
  });

  it('unknown window: GupShup accepts, then refuses (1005); the template goes instead and the tap ends the wait', async () => {
    h.gupshup.windowRefusals('held');
    const before = h.gupshup.sent().length;
    const started = await start('wa_send_buttons', buttonsWithFallback);
    const session = await eventually(() => h.gupshup.sent()[before], 10_000, 'the quick-reply message');
    expect(session.message).toMatchObject({ type: 'quick_reply' });
    await eventually(
      async () => (await h.rt.messages.get(h.memberId, session.messageId))?.fallbackRef,
      10_000,
      'record',
    );
    const [refusal] = await h.gupshup.releaseRefusals();
    expect(refusal?.status).toBe(200);
    const template = await eventually(() => h.gupshup.sent()[before + 1], 10_000, 'the late template');
    expect(template).toMatchObject({ path: '/wa/api/v1/template/msg', message: { id: reconnect.id } });
    const payload = template.postbackTexts?.[0]?.text;
    await h.gupshup.deliverIncoming({
      appName: GUPSHUP.appName,
      from: CUSTOMER,
      replyTo: template.messageId,
      content: { type: 'quick_reply', text: 'Да', postbackText: payload },
    });
    const done = await h.portal.waitForRun(started.eventToken, 10_000);
    expect(done.returnValues).toMatchObject({ status: 'answered', answer: 'Да', message_id: template.messageId });
    // Fail instead: the same refusal ends the robot's delivery wait with window_closed.
    h.gupshup.windowRefusals('after-answer');
    const failing = await start('wa_send_text', { phone: '79005550101', text: 'x', wait_for: 'delivered' });
    const failed = await h.portal.waitForRun(failing.eventToken, 10_000);
    expect(failed.returnValues).toMatchObject({ error_code: 'window_closed' });
  });

  it('a portal file as the fallback header fails on GupShup (no uploads) whatever the window, before sending', async () => {
    await customerWrites('Здравствуйте');
    const file = h.portal.addPortalFile({ name: 'order.png', bytes: Buffer.alloc(2048), mimeType: 'image/png' });
    const r = await run('wa_send_text', {
      phone: CUSTOMER,
      text: 'Ваш заказ собран',
      if_window_closed: 'template',
      fallback_template: 'reconnect',
      fallback_body_params: ['Иван'],
      fallback_header_media: h.portal.portalFileLink(file),
    });
    expect(r.values).toMatchObject({ status: 'error', error_code: 'unsupported_by_provider' });
    expect(r.posts).toEqual([]);
  });

  it('a Brazilian customer writing from the form without the 9: the window of the number dialled is known', async () => {
    await customerWrites('Olá', '551187654321');
    const r = await run('wa_check_window', { phone: '+5511987654321' });
    expect(r.values).toMatchObject({ window_open: 'Y', window_state: 'open' });
  });
});
