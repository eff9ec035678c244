import { actions } from '../../actions';
import { runLinesCommand } from '../../cli/lines-command';
import { connectGupshupLine, GUPSHUP, gupshupRobotStarter } from '../helpers/gupshup';
import { createHarness, eventually, type Harness, waitForRegistration } from '../helpers/harness';
import { CUSTOMER } from '../helpers/waits';

// The GupShup line end to end against its simulator: sends of every kind in GupShup's own form,
// statuses and taps through its callback door (v2 format), the door's secret, the lines CLI.
describe('a GupShup line', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
    await connectGupshupLine(h);
    await waitForRegistration(h, actions.length);
  });
  afterAll(async () => {
    await h.close();
  });

  const { start } = gupshupRobotStarter(() => h);
  async function run(code: string, properties: Record<string, string | string[]>) {
    const before = h.gupshup.sent().length;
    const done = await h.portal.waitForRun((await start(code, properties)).eventToken, 10_000);
    return { values: done.returnValues ?? {}, log: done.logMessage ?? '', sent: h.gupshup.sent().slice(before) };
  }

  it('a text goes as a form with the app name, source and a JSON message; the answer id is the message id', async () => {
    const r = await run('wa_send_text', { phone: CUSTOMER, text: 'Привет' });
    const [message] = r.sent;
    expect(message).toMatchObject({
      appName: GUPSHUP.appName,
      path: '/wa/api/v1/msg',
      destination: CUSTOMER,
      message: { type: 'text', text: 'Привет' },
    });
    expect(r.values).toMatchObject({ status: 'sent', message_id: message?.messageId });
    const call = h.gupshup.calls().find((c) => c.form.message?.includes('Привет'));
    expect(call?.form).toMatchObject({ channel: 'whatsapp', source: GUPSHUP.source, 'src.name': GUPSHUP.appName });
  });

  it('"wait for delivered" ends on GupShup delivered event (named by the WhatsApp id, gsId ours)', async () => {
    const before = h.gupshup.sent().length;
    const started = await start('wa_send_text', { phone: CUSTOMER, text: 'Заказ готов', wait_for: 'delivered' });
    const message = await eventually(() => h.gupshup.sent().slice(before)[0], 10_000, 'text sent');
    expect((await h.gupshup.deliverEvent({ messageId: message.messageId, type: 'enqueued' })).status).toBe(200);
    expect((await h.gupshup.deliverEvent({ messageId: message.messageId, type: 'delivered' })).status).toBe(200);
    const done = await h.portal.waitForRun(started.eventToken, 10_000);
    expect(done.returnValues).toMatchObject({ status: 'sent', delivery_status: 'delivered' });
    const stored = await h.rt.messages.get(h.memberId, message.messageId);
    expect(stored?.status).toBe('delivered');
  });

  it('a failed event with GupShup 1002 fails the delivery wait as undeliverable', async () => {
    const before = h.gupshup.sent().length;
    const started = await start('wa_send_text', { phone: CUSTOMER, text: 'Нет номера', wait_for: 'delivered' });
    const message = await eventually(() => h.gupshup.sent().slice(before)[0], 10_000, 'text sent');
    await h.gupshup.deliverEvent({ messageId: message.messageId, type: 'failed', code: 1002 });
    const done = await h.portal.waitForRun(started.eventToken, 10_000);
    expect(done.returnValues).toMatchObject({ error_code: 'undeliverable' });
  });

  it.each([
    ['the tapped option (postbackText)', 'button_reply'],
    ['the title only, quoting the message', 'title'],
  ])('buttons go as quick_reply; %s ends the wait', async (_what, how) => {
    const before = h.gupshup.sent().length;
    const started = await start('wa_send_buttons', {
      phone: CUSTOMER,
      body: 'Перенести визит?',
      buttons: ['Да', 'Нет'],
      wait_reply: 'Y',
    });
    const message = await eventually(() => h.gupshup.sent().slice(before)[0], 10_000, 'quick reply sent');
    expect(message.message).toMatchObject({ type: 'quick_reply', content: { type: 'text', text: 'Перенести визит?' } });
    const options = message.message.options as Array<{ title: string; postbackText: string }>;
    expect(options.map((o) => o.title)).toEqual(['Да', 'Нет']);
    const tapped = await h.gupshup.deliverIncoming({
      appName: GUPSHUP.appName,
      from: CUSTOMER,
      replyTo: message.messageId,
      content:
        how === 'button_reply'
          ? { type: 'button_reply', title: 'Нет', postbackText: options[1]?.postbackText, index: 2 }
          : { type: 'button_reply', title: 'Нет', index: 2 },
    });
    expect(tapped.status).toBe(200);
    const done = await h.portal.waitForRun(started.eventToken, 10_000);
    expect(done.returnValues).toMatchObject({
      status: 'answered',
      answer: 'Нет',
      answer_index: '2',
      message_id: message.messageId,
      reply_message_id: tapped.id,
    });
  });

  it('a list, a location and a contact go in GupShup form (the simulator refuses anything else)', async () => {
    const list = await run('wa_send_list', {
      phone: CUSTOMER,
      body: 'Выберите',
      button: 'Варианты',
      rows: 'Экспресс|1–2 дня\nОбычная',
    });
    expect(list.values).toMatchObject({ status: 'sent' });
    expect(list.sent[0]?.message).toMatchObject({
      type: 'list',
      globalButtons: [{ type: 'text', title: 'Варианты' }],
      items: [{ options: [{ title: 'Экспресс', description: '1–2 дня' }, { title: 'Обычная' }] }],
    });
    const location = await run('wa_send_location', {
      phone: CUSTOMER,
      latitude: '55.75',
      longitude: '37.61',
      name: 'Офис',
    });
    expect(location.sent[0]?.message).toEqual({ type: 'location', latitude: 55.75, longitude: 37.61, name: 'Офис' });
    const contact = await run('wa_send_contact', {
      phone: CUSTOMER,
      contact_name: 'Анна',
      contact_phones: '+79035550000',
    });
    expect(contact.values).toMatchObject({ status: 'sent' });
    expect(contact.sent[0]?.message).toMatchObject({ type: 'contact', contact: { name: { formatted_name: 'Анна' } } });
  });

  it('files go by link with the GupShup type (documents as file, webp as sticker without caption)', async () => {
    const r = await run('wa_send_file', {
      phone: CUSTOMER,
      files: ['Счёт|https://files.example.com/inv.pdf', 'https://files.example.com/s.webp'],
      caption: 'Ваш счёт',
    });
    expect(r.values).toMatchObject({ status: 'sent' });
    expect(r.sent.map((s) => s.message)).toEqual([
      { type: 'file', url: 'https://files.example.com/inv.pdf', caption: 'Ваш счёт', filename: 'Счёт' },
      { type: 'sticker', url: 'https://files.example.com/s.webp' },
    ]);
  });

  it('a file from the portal cannot go to GupShup (no upload there): unsupported_by_provider, nothing sent', async () => {
    const id = h.portal.addDiskFile({ name: 'a.pdf', bytes: Buffer.from('%PDF'), mimeType: 'application/pdf' });
    const r = await run('wa_send_file', { phone: CUSTOMER, disk_file_ids: [String(id)] });
    expect(r.values).toMatchObject({ status: 'error', error_code: 'unsupported_by_provider' });
    expect(r.log).toContain('gupshup: files from the portal are uploaded');
    expect(r.sent).toEqual([]);
  });

  it('a template goes by its GupShup id (looked up by name and language), params in order', async () => {
    const template = h.gupshup.addTemplate({
      appName: GUPSHUP.appName,
      elementName: 'order_ready',
      languageCode: 'ru',
      category: 'UTILITY',
      status: 'APPROVED',
      data: 'Заказ {{1}} готов, {{2}}!',
    });
    const r = await run('wa_send_template', {
      phone: CUSTOMER,
      template: 'order_ready',
      body_params: ['A-17', 'Иван'],
    });
    expect(r.values).toMatchObject({ status: 'sent' });
    expect(r.sent[0]).toMatchObject({
      path: '/wa/api/v1/template/msg',
      message: { id: template.id, params: ['A-17', 'Иван'] },
    });
    const missing = await run('wa_send_template', { phone: CUSTOMER, template: 'no_such', body_params: ['x'] });
    expect(missing.values).toMatchObject({ status: 'error', error_code: 'template_not_found' });
  });

  it('a wrong API key is line_auth_failed', async () => {
    const line = await h.rt.lines.get(h.memberId, GUPSHUP.lineId);
    if (!line) throw new Error('no line');
    await h.rt.lines.add({ ...line, id: 'gs-bad', phoneNumberId: 'OtherApp', accessToken: 'wrong' });
    const r = await run('wa_send_text', { phone: CUSTOMER, text: 'x', line: 'gs-bad' });
    expect(r.values).toMatchObject({ status: 'error', error_code: 'line_auth_failed' });
    await h.rt.lines.remove(h.memberId, 'gs-bad');
  });

  it('a callback with a wrong secret in its path is refused and nothing is queued', async () => {
    const bad = await h.gupshup.deliverIncoming({
      appName: GUPSHUP.appName,
      from: CUSTOMER,
      content: { type: 'text', text: 'x' },
      url: `${h.appUrl}/gupshup/webhook/${GUPSHUP.lineId}/not-the-secret-at-all`,
    });
    expect(bad.status).toBe(401);
  });

  it('lines add --provider gupshup stores the app, key (sealed) and source, and prints the callback URL', async () => {
    const out = await runLinesCommand(
      h.rt,
      'add',
      {
        portal: h.memberId,
        provider: 'gupshup',
        'app-name': 'ShopApp',
        'api-key': 'gs-secret-2',
        source: '+7 900 111-22-33',
        id: 'gs2',
      },
      [],
    );
    const line = await h.rt.lines.get(h.memberId, 'gs2');
    expect(line).toMatchObject({
      provider: 'gupshup',
      phoneNumberId: 'ShopApp',
      accessToken: 'gs-secret-2',
      source: '79001112233',
    });
    expect(out).toContain(`/gupshup/webhook/gs2/${line?.webhookToken}`);
    expect(await h.redis.hget(h.rt.keys.lines(h.memberId), 'gs2')).not.toContain('gs-secret-2');
    await expect(
      runLinesCommand(h.rt, 'add', { portal: h.memberId, provider: 'gupshup', 'app-name': 'X', 'api-key': 'k' }, []),
    ).rejects.toThrow(/source/);
    await h.rt.lines.remove(h.memberId, 'gs2');
  });
});
