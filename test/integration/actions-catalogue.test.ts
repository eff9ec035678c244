import { createHarness, waitForRegistration, type Harness } from '../helpers/harness';
import { actions } from '../../actions';
import { CUSTOMER } from '../helpers/waits';

type Body = Record<string, unknown>;
const kinds = [['robot', ''], ['activity', '_bp']] as const;

describe('action catalogue on a Cloud API line', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
    await waitForRegistration(h, actions.length);
  });
  afterAll(async () => { await h.close(); });

  const deal = (contactId?: number) => ['crm', 'CCrmDocumentDeal', `DEAL_${h.portal.createDeal({ stageId: 'NEW', contactId })}`] as [string, string, string];
  /** Runs one robot/activity and returns the finished run plus the bodies the simulator accepted for it. */
  async function run(code: string, properties: Record<string, string | string[]>, documentId = deal()) {
    const before = h.whatsapp.sent().length;
    const beforeAttempts = h.whatsapp.attempts().length;
    const started = await h.portal.runRobot({ code, documentId, properties });
    expect(started.httpStatus).toBe(200);
    const done = await h.portal.waitForRun(started.run.eventToken, 10_000);
    const sent = h.whatsapp.sent().slice(before);
    return { done, values: done.returnValues ?? {}, log: done.logMessage ?? '', bodies: sent.map((s) => s.body as Body), wamids: sent.map((s) => s.wamid), attempts: h.whatsapp.attempts().length - beforeAttempts };
  }

  describe.each(kinds)('as %s', (_kind, suffix) => {
    it('send_file (media): picks the type by extension; one message per file; message_ids lists them all', async () => {
      const r = await run(`wa_send_file${suffix}`, { phone: CUSTOMER, files: 'Прайс|https://files.example.com/a/price.pdf\nhttps://files.example.com/photo.JPG\nКлип|https://files.example.com/clip.mp4\nhttps://files.example.com/voice.ogg', caption: 'Материалы' });
      expect(r.bodies.map((b) => b.type)).toEqual(['document', 'image', 'video', 'audio']);
      expect(r.bodies[0]).toMatchObject({ to: CUSTOMER, document: { link: 'https://files.example.com/a/price.pdf', filename: 'Прайс', caption: 'Материалы' } });
      expect(r.bodies[1]).toMatchObject({ image: { link: 'https://files.example.com/photo.JPG' } });
      expect(r.bodies[1].image).not.toHaveProperty('caption');
      expect(r.bodies[2]).toMatchObject({ video: { link: 'https://files.example.com/clip.mp4', caption: 'Клип' } });
      expect(r.bodies[3]).toMatchObject({ audio: { link: 'https://files.example.com/voice.ogg' } });
      expect(r.values).toMatchObject({ status: 'sent', message_id: r.wamids[0], message_ids: r.wamids.join(','), error_code: '' });
      expect(r.log).toBe(`WhatsApp: 4 files sent → +${CUSTOMER} (${r.wamids.join(', ')})`);
    });

    it('send_file (document): every file a document named by its title', async () => {
      const r = await run(`wa_send_file${suffix}`, { phone: CUSTOMER, format: 'document', files: ['Фото|https://files.example.com/p.png', 'https://files.example.com/dir/report.xlsx'] });
      expect(r.bodies).toEqual([
        expect.objectContaining({ type: 'document', document: { link: 'https://files.example.com/p.png', filename: 'Фото' } }),
        expect.objectContaining({ type: 'document', document: { link: 'https://files.example.com/dir/report.xlsx', filename: 'report.xlsx' } }),
      ]);
      expect(r.values.message_ids).toBe(r.wamids.join(','));
    });

    it('send_location', async () => {
      const r = await run(`wa_send_location${suffix}`, { phone: CUSTOMER, latitude: '55.7558', longitude: '37.6173', name: 'Офис', address: 'Москва, Тверская 1' });
      expect(r.bodies).toEqual([expect.objectContaining({ type: 'location', location: { latitude: 55.7558, longitude: 37.6173, name: 'Офис', address: 'Москва, Тверская 1' } })]);
      expect(r.values).toMatchObject({ status: 'sent', message_id: r.wamids[0] });
      expect(r.log).toBe(`WhatsApp: location Офис (55.7558, 37.6173) sent → +${CUSTOMER} (${r.wamids[0]})`);
    });

    it('send_contact typed in', async () => {
      const r = await run(`wa_send_contact${suffix}`, { phone: CUSTOMER, contact_name: 'Мария', contact_phones: '+7 900 111-22-33\n8 900 444-55-66', contact_email: 'm@example.com', contact_company: 'ООО Ромашка' });
      expect(r.bodies[0]).toMatchObject({ type: 'contacts', contacts: [{ name: { formatted_name: 'Мария' }, phones: [{ phone: '+79001112233' }, { phone: '+79004445566' }], emails: [{ email: 'm@example.com' }], org: { company: 'ООО Ромашка' } }] });
      expect(r.values).toMatchObject({ status: 'sent', message_id: r.wamids[0] });
      expect(r.log).toContain('contact "Мария" sent');
    });

    it('send_reaction, and an empty emoji removes it', async () => {
      const put = await run(`wa_send_reaction${suffix}`, { phone: CUSTOMER, message_id: 'wamid.ABC', emoji: '👍' });
      expect(put.bodies).toEqual([expect.objectContaining({ type: 'reaction', reaction: { message_id: 'wamid.ABC', emoji: '👍' } })]);
      expect(put.log).toContain('reaction 👍 to wamid.ABC');
      const removed = await run(`wa_send_reaction${suffix}`, { phone: CUSTOMER, message_id: 'wamid.ABC' });
      expect(removed.bodies[0]).toMatchObject({ reaction: { message_id: 'wamid.ABC', emoji: '' } });
      expect(removed.values).toMatchObject({ status: 'sent', message_id: removed.wamids[0] });
    });

    it('send_template maps header, body and quick-reply parameters', async () => {
      const r = await run(`wa_send_template${suffix}`, { phone: CUSTOMER, template: 'order_ready', body_params: ['Анна', '№ 42'], header_params: 'Заказ', button_params: ['YES_PAYLOAD', 'NO_PAYLOAD'] });
      expect(r.bodies[0]).toMatchObject({
        type: 'template',
        template: {
          name: 'order_ready', language: { code: 'ru' },
          components: [
            { type: 'header', parameters: [{ type: 'text', text: 'Заказ' }] },
            { type: 'body', parameters: [{ type: 'text', text: 'Анна' }, { type: 'text', text: '№ 42' }] },
            { type: 'button', sub_type: 'quick_reply', index: '0', parameters: [{ type: 'payload', payload: 'YES_PAYLOAD' }] },
            { type: 'button', sub_type: 'quick_reply', index: '1', parameters: [{ type: 'payload', payload: 'NO_PAYLOAD' }] },
          ],
        },
      });
      expect(r.log).toContain('template order_ready (ru) sent');
    });

    it('send_list with descriptions; the section title defaults to the button label', async () => {
      const r = await run(`wa_send_list${suffix}`, { phone: CUSTOMER, header: 'Доставка', body: 'Выберите вариант', footer: 'Магазин', button: 'Варианты', rows: 'Экспресс|1–2 дня\nОбычная' });
      expect(r.bodies[0]).toMatchObject({
        type: 'interactive',
        interactive: {
          type: 'list', header: { type: 'text', text: 'Доставка' }, body: { text: 'Выберите вариант' }, footer: { text: 'Магазин' },
          action: { button: 'Варианты', sections: [{ title: 'Варианты', rows: [{ id: 'r:1', title: 'Экспресс', description: '1–2 дня' }, { id: 'r:2', title: 'Обычная' }] }] },
        },
      });
      expect(r.values).toMatchObject({ status: 'sent', message_id: r.wamids[0] });
      expect(r.log).toContain('list (Экспресс | Обычная)');
    });

    it('check_number answers unknown on the Cloud API, with the reason in the log', async () => {
      const r = await run(`wa_check_number${suffix}`, { phone: '+7 (916) 123-45-67' });
      expect(r.values).toEqual({ exists: 'unknown', normalized_phone: CUSTOMER, status: 'ok', error_code: '', error: '' });
      expect(r.log).toContain('provider cloud cannot check numbers');
      expect(r.attempts).toBe(0);
    });

    it.each([
      ['edit_message', { message_id: 'wamid.X', text: 'new' }, 'edit'],
      ['delete_message', { message_id: 'wamid.X' }, 'delete'],
      ['forward_message', { message_id: 'wamid.X' }, 'forward'],
    ])('%s on a Cloud API line fails with unsupported_by_provider', async (code, properties, capability) => {
      const r = await run(`wa_${code}${suffix}`, { phone: CUSTOMER, ...properties });
      expect(r.values).toMatchObject({ status: 'error', error_code: 'unsupported_by_provider' });
      expect(String(r.values.error)).toContain(`cloud: ${capability}`);
      expect(r.attempts).toBe(0);
    });
  });

  it('takes the recipient from the deal contact when no phone is given', async () => {
    const contactId = h.portal.createContact({ name: 'Anna', phones: [{ value: '8 916 765-43-21', valueType: 'MOBILE' }] });
    const r = await run('wa_send_location', { latitude: '1', longitude: '2' }, deal(contactId));
    expect(r.bodies[0]).toMatchObject({ to: '79167654321' });
    expect(r.log).toContain('phone taken from CRM');
  });

  it('send_contact from a CRM contact id takes its name, phones and e-mails', async () => {
    const contactId = h.portal.createContact({ name: 'Пётр', lastName: 'Иванов', phones: [{ value: '+79001112244' }, { value: '+74951234567', valueType: 'WORK' }], emails: [{ value: 'p@example.com' }] });
    const r = await run('wa_send_contact_bp', { phone: CUSTOMER, contact_id: String(contactId) });
    expect(r.bodies[0]).toMatchObject({ contacts: [{ name: { formatted_name: 'Пётр Иванов', first_name: 'Пётр', last_name: 'Иванов' }, phones: [{ phone: '+79001112244' }, { phone: '+74951234567' }], emails: [{ email: 'p@example.com' }] }] });
    expect(r.log).toContain('contact "Пётр Иванов" sent');
    const missing = await run('wa_send_contact', { phone: CUSTOMER, contact_id: '99999' });
    expect(missing.values).toMatchObject({ status: 'error', error_code: 'crm_not_found' });
  });

  it.each([
    ['11 rows', { rows: Array.from({ length: 11 }, (_, i) => `Row ${i + 1}`) }, 'rows: at most 10 values'],
    ['a 25-character row title', { rows: ['x'.repeat(25)] }, 'title at most 24 characters'],
    ['a 73-character description', { rows: [`ok|${'d'.repeat(73)}`] }, 'description at most 72 characters'],
    ['a 21-character button', { button: 'b'.repeat(21) }, 'button: at most 20 characters'],
  ])('send_list refuses %s before sending', async (_what, override, message) => {
    const r = await run('wa_send_list', { phone: CUSTOMER, body: 'Выберите', button: 'Варианты', rows: ['A', 'B'], ...override });
    expect(r.values).toMatchObject({ status: 'error', error_code: 'invalid_property' });
    expect(String(r.values.error)).toContain(message);
    expect(r.attempts).toBe(0);
  });

  it('send_file refuses a non-http URL before sending anything', async () => {
    const r = await run('wa_send_file', { phone: CUSTOMER, files: ['https://files.example.com/ok.pdf', 'ftp://files.example.com/bad.pdf'] });
    expect(r.values).toMatchObject({ status: 'error', error_code: 'invalid_property' });
    expect(String(r.values.error)).toContain('files: line 2');
    expect(r.attempts).toBe(0);
  });

  it('check_number refuses an invalid phone', async () => {
    const r = await run('wa_check_number', { phone: '12345' });
    expect(r.values).toMatchObject({ status: 'error', error_code: 'invalid_phone' });
  });
});
