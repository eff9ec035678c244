import { defined } from '../helpers/defined';
import { type GreenApiLine, greenApiHarness, greenApiRunner } from '../helpers/green-api';
import type { Harness } from '../helpers/harness';
import { CUSTOMER } from '../helpers/waits';

const CHAT = `${CUSTOMER}@c.us`;
const kinds = [
  ['robot', ''],
  ['activity', '_bp'],
] as const;

// Each action on a Green-API line and how its errors are reported. Buttons and lists as numbered text,
// the line's webhook door and the lines CLI: green-api-lines.test.ts.
describe('actions on a Green-API line', () => {
  let h: Harness;
  let green: GreenApiLine;
  beforeAll(async () => {
    ({ h, green } = await greenApiHarness());
  });
  afterAll(async () => {
    await green.close();
    await h.close();
  });

  const { run, sentText } = greenApiRunner(
    () => h,
    () => green,
  );

  describe.each(kinds)('as %s', (_kind, suffix) => {
    it('the 24-hour window does not apply (no such limit on this provider)', async () => {
      const check = await run(`wa_check_window${suffix}`, { phone: '79169990011' });
      expect(check.values).toMatchObject({ window_open: 'Y', window_state: 'open', window_closes_at: '' });
      expect(check.log).toContain('has no 24-hour window');
      // A customer who never wrote: the text goes as it is, the fallback template is never needed.
      const text = await run(`wa_send_text${suffix}`, {
        phone: '79169990011',
        text: 'Здравствуйте',
        if_window_closed: 'template',
        fallback_template: 'reconnect',
      });
      expect(text.values).toMatchObject({ status: 'sent', sent_as: 'message' });
      expect(text.sent.map((m) => m.method)).toEqual(['sendMessage']);
    });

    it('send_file uses sendFileByUrl, one call per file', async () => {
      const r = await run(`wa_send_file${suffix}`, {
        phone: CUSTOMER,
        files: 'Прайс|https://files.example.com/price.pdf\nhttps://files.example.com/p.jpg',
        caption: 'Смотрите',
      });
      expect(r.sent.map((s) => [s.method, s.body])).toEqual([
        [
          'sendFileByUrl',
          { chatId: CHAT, urlFile: 'https://files.example.com/price.pdf', fileName: 'Прайс.pdf', caption: 'Смотрите' },
        ],
        ['sendFileByUrl', { chatId: CHAT, urlFile: 'https://files.example.com/p.jpg', fileName: 'p.jpg' }],
      ]);
      expect(r.values).toMatchObject({
        status: 'sent',
        message_id: defined(r.sent[0], 'first file sent').idMessage,
        message_ids: r.sent.map((s) => s.idMessage).join(','),
      });
    });

    it('send_location and send_contact use their Green-API methods', async () => {
      const loc = await run(`wa_send_location${suffix}`, {
        phone: CUSTOMER,
        latitude: '55.75',
        longitude: '37.61',
        name: 'Офис',
        address: 'Тверская 1',
      });
      expect(loc.sent[0]).toMatchObject({
        method: 'sendLocation',
        body: { chatId: CHAT, latitude: 55.75, longitude: 37.61, nameLocation: 'Офис', address: 'Тверская 1' },
      });
      const contact = await run(`wa_send_contact${suffix}`, {
        phone: CUSTOMER,
        contact_name: 'Мария',
        contact_phones: '+7 900 111-22-33',
        contact_company: 'Ромашка',
      });
      expect(contact.sent[0]).toMatchObject({
        method: 'sendContact',
        body: { chatId: CHAT, contact: { phoneContact: 79001112233, firstName: 'Мария', company: 'Ромашка' } },
      });
      expect(contact.values).toMatchObject({
        status: 'sent',
        message_id: defined(contact.sent[0], 'contact sent').idMessage,
      });
    });

    it('edit_message calls editMessage', async () => {
      const id = await sentText('Встреча в 10:00');
      const r = await run(`wa_edit_message${suffix}`, { phone: CUSTOMER, message_id: id, text: 'Встреча в 11:00' });
      expect(green.sim.calls().at(-1)).toMatchObject({
        method: 'editMessage',
        httpStatus: 200,
        body: { chatId: CHAT, idMessage: id, message: 'Встреча в 11:00' },
      });
      expect(r.values).toMatchObject({ status: 'sent', message_id: id, error_code: '' });
      expect(r.log).toBe(`WhatsApp: message ${id} edited → +${CUSTOMER} (${id})`);
    });

    it('delete_message calls deleteMessage', async () => {
      const id = await sentText('Ошибочное сообщение');
      const r = await run(`wa_delete_message${suffix}`, { phone: CUSTOMER, message_id: id });
      expect(green.sim.calls().at(-1)).toMatchObject({
        method: 'deleteMessage',
        httpStatus: 200,
        body: { chatId: CHAT, idMessage: id },
      });
      expect(green.sim.deleted()).toContain(id);
      expect(r.values).toMatchObject({ status: 'sent', message_id: id });
      expect(r.log).toContain(`message ${id} deleted`);
    });

    it('forward_message forwards from the customer chat to another phone', async () => {
      const id = await sentText('Для менеджера');
      const r = await run(`wa_forward_message${suffix}`, {
        phone: '79031234567',
        from_phone: CUSTOMER,
        message_id: id,
      });
      expect(r.sent).toEqual([
        expect.objectContaining({
          method: 'forwardMessages',
          chatId: '79031234567@c.us',
          body: { chatId: '79031234567@c.us', chatIdFrom: CHAT, messages: [id] },
        }),
      ]);
      const forwarded = defined(r.sent[0], 'forwarded message');
      expect(r.values).toMatchObject({
        status: 'sent',
        message_id: forwarded.idMessage,
        message_ids: forwarded.idMessage,
      });
    });

    it('check_number answers yes and no from checkWhatsapp', async () => {
      const yes = await run(`wa_check_number${suffix}`, { phone: '8 916 123-45-67' });
      expect(yes.values).toEqual({
        exists: 'yes',
        normalized_phone: CUSTOMER,
        status: 'ok',
        error_code: '',
        error: '',
      });
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
    // Green-API's own (English) words stay in the app's log; the robot names its HTTP status.
    expect(String(r.values.error)).toBe('WhatsApp error: WhatsApp code 400');
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
});
