import { runLinesCommand } from '../../cli/lines-command';
import { runTemplatesCommand } from '../../cli/templates-command';
import { cloudActionRunner } from '../helpers/cloud-actions';
import { defined } from '../helpers/defined';
import { eventually, type Harness, LINE } from '../helpers/harness';
import { createManualClock, type ManualClock } from '../helpers/manual-clock';
import { jobLog, settled } from '../helpers/signals';
import { createWabaHarness, DAY, quickReplyPayload, tapQuickReply, WABA } from '../helpers/waba';
import { CUSTOMER } from '../helpers/waits';

/** A template with every component kind: image header, named body, quick reply, URL with a suffix, copy code. */
const ORDER_READY = {
  name: 'order_ready',
  language: 'ru',
  status: 'APPROVED',
  category: 'MARKETING',
  parameter_format: 'NAMED' as const,
  components: [
    { type: 'HEADER', format: 'IMAGE' },
    { type: 'BODY', text: 'Заказ {{order_id}} готов, {{customer}}!' },
    {
      type: 'BUTTONS',
      buttons: [
        { type: 'QUICK_REPLY', text: 'Спасибо' },
        { type: 'URL', text: 'Трекинг', url: 'https://shop.example/t/{{1}}' },
        { type: 'COPY_CODE', text: 'Скопировать код' },
      ],
    },
  ],
};

// Issue 13, "Templates": listed from the account (paging), cached, refreshed on webhooks and on demand;
// checked before sending; sent with every component; waited on like buttons.
describe('message templates', () => {
  let h: Harness;
  let clock: ManualClock;
  const { run } = cloudActionRunner(() => h);
  const line = async () => defined((await h.rt.lines.get(h.memberId, 'main')) ?? undefined, 'the line');
  beforeEach(async () => {
    clock = createManualClock(Date.now());
    h = await createWabaHarness(clock);
    h.whatsapp.addTemplate(WABA, ORDER_READY);
  });
  afterEach(async () => {
    await h.close();
  });

  it('lists every page, caches, refreshes on a template webhook and on demand (CLI)', async () => {
    for (let i = 0; i < 120; i += 1)
      h.whatsapp.addTemplate(WABA, { ...ORDER_READY, name: `promo_${String(i).padStart(3, '0')}`, status: 'PENDING' });
    const listed = defined((await h.rt.templates.list(await line(), { refresh: true })) ?? undefined, 'the list');
    // 122 templates at 100 a page: two pages.
    expect(listed.templates).toHaveLength(122);
    const out = await runTemplatesCommand(h.rt, 'list', { line: 'main' });
    expect(out).toContain('reconnect\tru\tUTILITY\tAPPROVED\theader none; body 1\tquick_reply,quick_reply');
    expect(out).toContain(
      'order_ready\tru\tMARKETING\tAPPROVED\theader image; body 2 named (order_id,customer)\tquick_reply,url+param,copy_code+param',
    );
    expect(out).toContain('122 templates');

    // Meta pauses the template: the webhook makes the line read its templates again.
    const inbound = await jobLog(h, h.rt.queues.inbound);
    await h.whatsapp.setTemplateStatus(WABA, 'reconnect', 'ru', 'PAUSED');
    expect(await inbound.completed(1, 'the template webhook')).toEqual(['templates_refreshed:1']);
    expect(await runTemplatesCommand(h.rt, 'list', { line: 'main' })).toContain('reconnect\tru\tUTILITY\tPAUSED');
    const paused = await run('wa_send_template', { phone: CUSTOMER, template: 'reconnect', body_params: 'Иван' });
    expect(paused.values).toMatchObject({ status: 'error', error_code: 'template_paused' });
    expect(paused.attempts).toBe(0);

    // Changed without a webhook: only --refresh reads it anew.
    await h.whatsapp.setTemplateStatus(WABA, 'reconnect', 'ru', 'APPROVED', { webhook: false });
    expect(await runTemplatesCommand(h.rt, 'list', { line: 'main' })).toContain('reconnect\tru\tUTILITY\tPAUSED');
    expect(await runTemplatesCommand(h.rt, 'list', { line: 'main', refresh: 'true' })).toContain(
      'reconnect\tru\tUTILITY\tAPPROVED',
    );
  });

  it('lines add --waba-id ties a line to its account; a line without one says how to list templates', async () => {
    const add = (extra: Record<string, string>) =>
      runLinesCommand(
        h.rt,
        'add',
        {
          portal: h.memberId,
          'phone-number-id': '200000000000077',
          'access-token': 'EAAG-second',
          id: 'second',
          ...extra,
        },
        [],
      );
    await expect(add({ 'waba-id': 'abc' })).rejects.toThrow('--waba-id must be the account id (digits)');
    expect(await add({ 'waba-id': WABA })).toContain(`line second added to portal ${h.memberId}`);
    expect((await h.rt.lines.findByWabaId(WABA)).map((l) => l.id).sort()).toEqual(['main', 'second']);
    await runLinesCommand(h.rt, 'remove', { portal: h.memberId }, ['second']);
    expect((await h.rt.lines.findByWabaId(WABA)).map((l) => l.id)).toEqual(['main']);
    await add({});
    await expect(runTemplatesCommand(h.rt, 'list', { line: 'second' })).rejects.toThrow(
      'line second cannot list templates: add its WhatsApp Business Account id (lines add … --waba-id)',
    );
    await expect(runTemplatesCommand(h.rt, 'list', { line: 'nope' })).rejects.toThrow('no line nope');
  });

  it('says exactly what is wrong before sending: missing, wrong counts, missing values', async () => {
    const missing = await run('wa_send_template', { phone: CUSTOMER, template: 'no_such', body_params: 'x' });
    expect(missing.values).toMatchObject({ status: 'error', error_code: 'template_not_found' });
    expect(missing.values.error).toContain('no_such (ru)');
    const wrongLanguage = await run('wa_send_template', { phone: CUSTOMER, template: 'reconnect', language: 'en' });
    expect(wrongLanguage.values).toMatchObject({ error_code: 'template_not_found' });
    const counts = await run('wa_send_template', { phone: CUSTOMER, template: 'reconnect', body_params: ['a', 'b'] });
    expect(counts.values).toMatchObject({ status: 'error', error_code: 'template_params_mismatch' });
    expect(counts.values.error).toContain('body: the template expects 1, given 2');
    const named = await run('wa_send_template', {
      phone: CUSTOMER,
      template: 'order_ready',
      header_media: '1037543291543636',
      body_params: ['order_id=A-17'],
      url_params: 'A-17',
      coupon_code: 'SAVE25',
    });
    expect(named.values).toMatchObject({ error_code: 'template_params_mismatch' });
    expect(named.values.error).toContain('missing: customer');
    const noMedia = await run('wa_send_template', {
      phone: CUSTOMER,
      template: 'order_ready',
      body_params: ['order_id=A-17', 'customer=Иван'],
      url_params: 'A-17',
      coupon_code: 'SAVE25',
    });
    expect(noMedia.values.error).toContain("header_media: required, the template's header is image");
    h.whatsapp.addTemplate(WABA, {
      name: 'receipt',
      language: 'ru',
      status: 'APPROVED',
      category: 'UTILITY',
      components: [{ type: 'BODY', text: 'Чек {{1}}' }],
    });
    // Added after the list was cached: a name missing from a list a minute old makes the line read it again.
    clock.advance(60_000);
    const noButtons = await run('wa_send_template', {
      phone: CUSTOMER,
      template: 'receipt',
      body_params: '17',
      wait_reply: 'Y',
    });
    expect(noButtons.values).toMatchObject({ error_code: 'invalid_property' });
    expect(noButtons.values.error).toContain('receipt has no quick-reply buttons');
    // Nothing reached WhatsApp.
    expect([missing, wrongLanguage, counts, named, noMedia, noButtons].map((r) => r.attempts)).toEqual([
      0, 0, 0, 0, 0, 0,
    ]);
  });

  it('sends every component: media header by id, named body, quick-reply payload, URL suffix, coupon code', async () => {
    const r = await run('wa_send_template', {
      phone: CUSTOMER,
      template: 'order_ready',
      header_media: '1037543291543636',
      body_params: ['customer=Иван', 'order_id=A-17'],
      button_params: 'THANKS_A17',
      url_params: 'A-17',
      coupon_code: 'SAVE25',
    });
    expect(r.values).toMatchObject({ status: 'sent' });
    expect(r.bodies[0]).toEqual({
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: CUSTOMER,
      type: 'template',
      template: {
        name: 'order_ready',
        language: { code: 'ru' },
        components: [
          { type: 'header', parameters: [{ type: 'image', image: { id: '1037543291543636' } }] },
          {
            type: 'body',
            parameters: [
              { type: 'text', parameter_name: 'order_id', text: 'A-17' },
              { type: 'text', parameter_name: 'customer', text: 'Иван' },
            ],
          },
          {
            type: 'button',
            sub_type: 'quick_reply',
            index: '0',
            parameters: [{ type: 'payload', payload: 'THANKS_A17' }],
          },
          { type: 'button', sub_type: 'url', index: '1', parameters: [{ type: 'text', text: 'A-17' }] },
          {
            type: 'button',
            sub_type: 'copy_code',
            index: '2',
            parameters: [{ type: 'coupon_code', coupon_code: 'SAVE25' }],
          },
        ],
      },
    });
  });

  it('a template with quick replies waits like the buttons robot: answered by the tap, or timed out', async () => {
    const dealId = h.portal.createDeal({ stageId: 'NEW' });
    const documentId: [string, string, string] = ['crm', 'CCrmDocumentDeal', `DEAL_${dealId}`];
    const properties = { phone: CUSTOMER, template: 'reconnect', body_params: 'Иван', wait_reply: 'Y' };
    const before = h.whatsapp.sent().length;
    const first = await h.portal.runRobot({ code: 'wa_send_template', documentId, properties });
    const sent = await waitForSend(before);
    const payload = quickReplyPayload(sent.body, 0);
    expect(payload).toMatch(/^w:[A-Za-z0-9_-]+:1$/);
    await h.whatsapp.deliverInbound({
      phoneNumberId: LINE.phoneNumberId,
      from: CUSTOMER,
      message: { type: 'button', payload, text: 'Да' },
      contextId: sent.wamid,
    });
    const answered = await h.portal.waitForRun(first.run.eventToken, 10_000);
    expect(answered.returnValues).toMatchObject({
      status: 'answered',
      answer: 'Да',
      answer_index: '1',
      answer_id: payload,
      reply_text: 'Да',
      message_id: sent.wamid,
    });

    const second = await h.portal.runRobot({ code: 'wa_send_template_bp', documentId, properties });
    await waitForSend(before + 1);
    clock.advance(DAY);
    const timedOut = await h.portal.waitForRun(second.run.eventToken, 10_000);
    expect(timedOut.returnValues).toMatchObject({ status: 'timeout', answer: '' });
  });

  it("a robot's template wait ends with its stage: the later tap goes to the chat", async () => {
    const dealId = h.portal.createDeal({ stageId: 'NEW' });
    const documentId: [string, string, string] = ['crm', 'CCrmDocumentDeal', `DEAL_${dealId}`];
    const before = h.whatsapp.sent().length;
    const started = await h.portal.runRobot({
      code: 'wa_send_template',
      documentId,
      properties: { phone: CUSTOMER, template: 'reconnect', body_params: 'Иван', wait_reply: 'Y' },
    });
    const sent = await waitForSend(before);
    await h.portal.moveDeal(dealId, 'PREPARATION');
    await eventually(async () => (await h.rt.waits.store.countOpen(h.memberId)) === 0, 10_000, 'the wait ended');
    const inbound = await jobLog(h, h.rt.queues.inbound);
    await tapQuickReply(h, sent, 0, 'Да');
    expect(await inbound.completed(1, 'the late tap')).toEqual(['ordinary']);
    await settled(h);
    expect(h.portal.eventSends().filter((e) => e.eventToken === started.run.eventToken)).toHaveLength(0);
  });

  /** The n-th accepted send. */
  const waitForSend = (index: number) => eventually(() => h.whatsapp.sent()[index], 10_000, `send ${index + 1}`);
});
