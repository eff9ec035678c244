import { createHarness, eventually, waitForRegistration, type Harness } from '../helpers/harness';
import { actions } from '../../actions';
import { CUSTOMER, ordinaryTexts } from '../helpers/waits';
import { runLinesCommand } from '../../cli/lines-command';
import { connectGreenApiLine, GREEN, type GreenApiLine } from '../helpers/green-api';
import { counterValue, jobLog, settled } from '../helpers/signals';

const CHAT = `${CUSTOMER}@c.us`;
const kinds = [['robot', ''], ['activity', '_bp']] as const;

describe('actions on a Green-API line', () => {
  let h: Harness;
  let green: GreenApiLine;
  beforeAll(async () => {
    h = await createHarness();
    green = await connectGreenApiLine(h, { numbersWithoutWhatsapp: ['79990000000'] });
    await waitForRegistration(h, actions.length);
  });
  afterAll(async () => {
    await green.close();
    await h.close();
  });

  const deal = () => ['crm', 'CCrmDocumentDeal', `DEAL_${h.portal.createDeal({ stageId: 'NEW' })}`] as [string, string, string];
  async function start(code: string, properties: Record<string, string | string[]>) {
    const started = await h.portal.runRobot({ code, documentId: deal(), properties: { line: GREEN.lineId, ...properties } });
    expect(started.httpStatus).toBe(200);
    return started.run;
  }
  async function run(code: string, properties: Record<string, string | string[]>) {
    const before = green.sim.sent().length;
    const done = await h.portal.waitForRun((await start(code, properties)).eventToken, 10_000);
    return { values: done.returnValues ?? {}, log: done.logMessage ?? '', sent: green.sim.sent().slice(before) };
  }
  /** Sends a text first, so edit/delete/forward have a message to work on. */
  async function sentText(text: string): Promise<string> {
    const r = await run('wa_send_text', { phone: CUSTOMER, text });
    expect(r.values).toMatchObject({ status: 'sent' });
    return String(r.values.message_id);
  }

  describe.each(kinds)('as %s', (_kind, suffix) => {
    it('send_file uses sendFileByUrl, one call per file', async () => {
      const r = await run(`wa_send_file${suffix}`, { phone: CUSTOMER, files: 'Прайс|https://files.example.com/price.pdf\nhttps://files.example.com/p.jpg', caption: 'Смотрите' });
      expect(r.sent.map((s) => [s.method, s.body])).toEqual([
        ['sendFileByUrl', { chatId: CHAT, urlFile: 'https://files.example.com/price.pdf', fileName: 'Прайс.pdf', caption: 'Смотрите' }],
        ['sendFileByUrl', { chatId: CHAT, urlFile: 'https://files.example.com/p.jpg', fileName: 'p.jpg' }],
      ]);
      expect(r.values).toMatchObject({ status: 'sent', message_id: r.sent[0].idMessage, message_ids: r.sent.map((s) => s.idMessage).join(',') });
    });

    it('send_location and send_contact use their Green-API methods', async () => {
      const loc = await run(`wa_send_location${suffix}`, { phone: CUSTOMER, latitude: '55.75', longitude: '37.61', name: 'Офис', address: 'Тверская 1' });
      expect(loc.sent[0]).toMatchObject({ method: 'sendLocation', body: { chatId: CHAT, latitude: 55.75, longitude: 37.61, nameLocation: 'Офис', address: 'Тверская 1' } });
      const contact = await run(`wa_send_contact${suffix}`, { phone: CUSTOMER, contact_name: 'Мария', contact_phones: '+7 900 111-22-33', contact_company: 'Ромашка' });
      expect(contact.sent[0]).toMatchObject({ method: 'sendContact', body: { chatId: CHAT, contact: { phoneContact: 79001112233, firstName: 'Мария', company: 'Ромашка' } } });
      expect(contact.values).toMatchObject({ status: 'sent', message_id: contact.sent[0].idMessage });
    });

    it('edit_message calls editMessage', async () => {
      const id = await sentText('Встреча в 10:00');
      const r = await run(`wa_edit_message${suffix}`, { phone: CUSTOMER, message_id: id, text: 'Встреча в 11:00' });
      expect(green.sim.calls().at(-1)).toMatchObject({ method: 'editMessage', httpStatus: 200, body: { chatId: CHAT, idMessage: id, message: 'Встреча в 11:00' } });
      expect(r.values).toMatchObject({ status: 'sent', message_id: id, error_code: '' });
      expect(r.log).toBe(`WhatsApp: message ${id} edited → +${CUSTOMER} (${id})`);
    });

    it('delete_message calls deleteMessage', async () => {
      const id = await sentText('Ошибочное сообщение');
      const r = await run(`wa_delete_message${suffix}`, { phone: CUSTOMER, message_id: id });
      expect(green.sim.calls().at(-1)).toMatchObject({ method: 'deleteMessage', httpStatus: 200, body: { chatId: CHAT, idMessage: id } });
      expect(green.sim.deleted()).toContain(id);
      expect(r.values).toMatchObject({ status: 'sent', message_id: id });
      expect(r.log).toContain(`message ${id} deleted`);
    });

    it('forward_message forwards from the customer chat to another phone', async () => {
      const id = await sentText('Для менеджера');
      const r = await run(`wa_forward_message${suffix}`, { phone: '79031234567', from_phone: CUSTOMER, message_id: id });
      expect(r.sent).toEqual([expect.objectContaining({ method: 'forwardMessages', chatId: '79031234567@c.us', body: { chatId: '79031234567@c.us', chatIdFrom: CHAT, messages: [id] } })]);
      expect(r.values).toMatchObject({ status: 'sent', message_id: r.sent[0].idMessage, message_ids: r.sent[0].idMessage });
    });

    it('check_number answers yes and no from checkWhatsapp', async () => {
      const yes = await run(`wa_check_number${suffix}`, { phone: '8 916 123-45-67' });
      expect(yes.values).toEqual({ exists: 'yes', normalized_phone: CUSTOMER, status: 'ok', error_code: '', error: '' });
      expect(green.sim.calls().at(-1)).toMatchObject({ method: 'checkWhatsapp', body: { phoneNumber: 79161234567 } });
      const no = await run(`wa_check_number${suffix}`, { phone: '+7 999 000-00-00' });
      expect(no.values).toMatchObject({ exists: 'no', normalized_phone: '79990000000' });
      expect(no.log).toBe('WhatsApp: +79990000000 has no WhatsApp');
    });

    it('send_reaction and send_template are unsupported_by_provider, nothing sent', async () => {
      const calls = green.sim.calls().length;
      const reaction = await run(`wa_send_reaction${suffix}`, { phone: CUSTOMER, message_id: 'BAE5X', emoji: '👍' });
      expect(reaction.values).toMatchObject({ status: 'error', error_code: 'unsupported_by_provider' });
      const template = await run(`wa_send_template${suffix}`, { phone: CUSTOMER, template: 'hello' });
      expect(template.values).toMatchObject({ status: 'error', error_code: 'unsupported_by_provider' });
      expect(green.sim.calls()).toHaveLength(calls);
    });
  });

  it('editing a message of another chat is refused by Green-API and reported, not silently passed', async () => {
    const id = await sentText('Привет');
    const r = await run('wa_edit_message', { phone: '79031234567', message_id: id, text: 'x' });
    expect(r.values).toMatchObject({ status: 'error', error_code: 'provider_error' });
    expect(String(r.values.error)).toContain('not found');
  });

  it.each([['1', 'Yes', '1'], ['Yes', 'Yes', '1'], ['no', 'No', '2']])('buttons go as numbered text; the reply %p through the Green-API door resumes the robot', async (reply, answer, index) => {
    const before = green.sim.sent().length;
    const started = await start('wa_send_buttons', { phone: CUSTOMER, body: 'Confirm the visit?', buttons: ['Yes', 'No'], wait_reply: 'Y' });
    const message = await eventually(() => green.sim.sent().slice(before)[0], 10_000, 'numbered text');
    expect(message).toMatchObject({ method: 'sendMessage', body: { chatId: CHAT, message: 'Confirm the visit?\n\n1. Yes\n2. No' } });
    const delivered = await green.sim.deliverIncoming({ idInstance: GREEN.idInstance, from: CUSTOMER, text: reply });
    expect(delivered.status).toBe(200);
    const done = await h.portal.waitForRun(started.eventToken, 10_000);
    expect(done.returnValues).toMatchObject({ status: 'answered', answer, answer_index: index, reply_text: reply, reply_message_id: delivered.idMessage, message_id: message.idMessage });
  });

  it.each([
    [401, 'line_auth_failed'],
    [403, 'line_auth_failed'],
    [466, 'provider_quota_exceeded'],
    [400, 'provider_error'],
  ])('Green-API HTTP %p → %s, not retried', async (status, errorCode) => {
    const calls = green.sim.calls().length;
    green.sim.failNext({ status });
    const r = await run('wa_send_text', { phone: CUSTOMER, text: 'x' });
    expect(r.values).toMatchObject({ status: 'error', error_code: errorCode });
    expect(green.sim.calls().length - calls).toBe(1);
  });

  it('Green-API 429 and 5xx are retried, then the message goes once', async () => {
    green.sim.failNext({ status: 429 });
    green.sim.failNext({ status: 502 });
    const r = await run('wa_send_text', { phone: CUSTOMER, text: 'после повторов' });
    expect(r.values).toMatchObject({ status: 'sent' });
    expect(r.sent.map((s) => s.body.message)).toEqual(['после повторов']);
  });

  it('lines add --provider green-api stores the line with its own flags, tokens sealed', async () => {
    const out = await runLinesCommand(h.rt, 'add', { portal: h.memberId, provider: 'green-api', 'id-instance': '1101000002', 'api-token': 'ga-secret-2', 'api-url': 'https://1101.api.green-api.com', 'webhook-token': 'wh-secret-0123456789', id: 'green2' }, []);
    expect(out).toContain('/green-api/webhook/green2');
    expect(await h.rt.lines.get(h.memberId, 'green2')).toMatchObject({ provider: 'green-api', phoneNumberId: '1101000002', accessToken: 'ga-secret-2', apiUrl: 'https://1101.api.green-api.com', webhookToken: 'wh-secret-0123456789' });
    const stored = await h.redis.hget(h.rt.keys.lines(h.memberId), 'green2');
    expect(stored).not.toContain('ga-secret-2');
    expect(stored).not.toContain('wh-secret-0123456789');
    await expect(runLinesCommand(h.rt, 'add', { portal: h.memberId, provider: 'green-api', 'id-instance': '1101000003', 'api-token': 't' }, [])).rejects.toThrow(/webhook-token/);
    await h.rt.lines.remove(h.memberId, 'green2');
  });

  it('"wait for delivered" completes on a Green-API outgoingMessageStatus webhook', async () => {
    const before = green.sim.sent().length;
    const started = await start('wa_send_text', { phone: CUSTOMER, text: 'Ваш заказ готов', wait_for: 'delivered' });
    const message = await eventually(() => green.sim.sent().slice(before)[0], 10_000, 'text sent');
    const status = await green.sim.deliverStatus({ idInstance: GREEN.idInstance, idMessage: message.idMessage, status: 'delivered' });
    expect(status.status).toBe(200);
    const done = await h.portal.waitForRun(started.eventToken, 10_000);
    expect(done.returnValues).toMatchObject({ status: 'sent', message_id: message.idMessage, delivery_status: 'delivered' });
  });

  it('a list goes as numbered rows with descriptions', async () => {
    const r = await run('wa_send_list', { phone: CUSTOMER, header: 'Доставка', body: 'Выберите', button: 'Варианты', rows: 'Экспресс|1–2 дня\nОбычная' });
    expect(r.sent[0].body).toEqual({ chatId: CHAT, message: '*Доставка*\n\nВыберите\n\n1. Экспресс — 1–2 дня\n2. Обычная' });
  });

  it('an ordinary Green-API message is stored as an ordinary inbound message; duplicates are taken once', async () => {
    const inbound = await jobLog(h, h.rt.queues.inbound);
    const duplicates = await counterValue(h.rt.metrics.webhooks, { outcome: 'duplicate' });
    const first = await green.sim.deliverIncoming({ idInstance: GREEN.idInstance, from: '79035550000', text: 'Здравствуйте' });
    await green.sim.deliverIncoming({ idInstance: GREEN.idInstance, from: '79035550000', text: 'Здравствуйте', idMessage: first.idMessage });
    // The door took the repeat as a duplicate; the one job finished and nothing else is in flight.
    expect(await counterValue(h.rt.metrics.webhooks, { outcome: 'duplicate' })).toBe(duplicates + 1);
    expect(await inbound.completed(1, 'ordinary message stored', 5_000)).toEqual(['ordinary']);
    await settled(h);
    expect(await inbound.finished()).toHaveLength(1);
    expect((await ordinaryTexts(h)).filter((t) => t === 'Здравствуйте')).toHaveLength(1);
  });

  it('the Green-API door refuses a wrong or missing webhook token and queues nothing', async () => {
    const counts = await h.rt.queues.inbound.getJobCounts('waiting', 'active', 'completed', 'delayed', 'failed');
    const wrong = await green.sim.deliverIncoming({ idInstance: GREEN.idInstance, from: CUSTOMER, text: 'x', token: 'not-the-token-at-all' });
    const missing = await green.sim.deliverIncoming({ idInstance: GREEN.idInstance, from: CUSTOMER, text: 'x', token: null });
    expect([wrong.status, missing.status]).toEqual([401, 401]);
    expect(await h.rt.queues.inbound.getJobCounts('waiting', 'active', 'completed', 'delayed', 'failed')).toEqual(counts);
  });
});
