import { cloudActionRunner } from '../helpers/cloud-actions';
import { defined } from '../helpers/defined';
import { createRegisteredHarness, type Harness } from '../helpers/harness';
import { CUSTOMER } from '../helpers/waits';

const kinds = [
  ['robot', ''],
  ['activity', '_bp'],
] as const;

// Each action sent as a robot and as an activity. The recipient and a contact taken from the CRM, and the
// limits checked before anything is sent: actions-catalogue-checks.test.ts.
describe('action catalogue on a Cloud API line', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createRegisteredHarness();
  });
  afterAll(async () => {
    await h.close();
  });

  const { run } = cloudActionRunner(() => h);

  describe.each(kinds)('as %s', (_kind, suffix) => {
    it('send_file (media): picks the type by extension; one message per file; message_ids lists them all', async () => {
      const r = await run(`wa_send_file${suffix}`, {
        phone: CUSTOMER,
        files:
          'Прайс|https://files.example.com/a/price.pdf\nhttps://files.example.com/photo.JPG\nКлип|https://files.example.com/clip.mp4\nhttps://files.example.com/voice.ogg',
        caption: 'Материалы',
      });
      expect(r.bodies.map((b) => b.type)).toEqual(['document', 'image', 'video', 'audio']);
      expect(r.bodies[0]).toMatchObject({
        to: CUSTOMER,
        document: { link: 'https://files.example.com/a/price.pdf', filename: 'Прайс', caption: 'Материалы' },
      });
      expect(r.bodies[1]).toMatchObject({ image: { link: 'https://files.example.com/photo.JPG' } });
      expect(defined(r.bodies[1], 'second body').image).not.toHaveProperty('caption');
      expect(r.bodies[2]).toMatchObject({ video: { link: 'https://files.example.com/clip.mp4', caption: 'Клип' } });
      expect(r.bodies[3]).toMatchObject({ audio: { link: 'https://files.example.com/voice.ogg' } });
      expect(r.values).toMatchObject({
        status: 'sent',
        message_id: r.wamids[0],
        message_ids: r.wamids.join(','),
        error_code: '',
      });
      expect(r.log).toBe(`WhatsApp: files sent: 4 → +${CUSTOMER} (${r.wamids.join(', ')})`);
    });

    it('send_file (document): every file a document named by its title', async () => {
      const r = await run(`wa_send_file${suffix}`, {
        phone: CUSTOMER,
        format: 'document',
        files: ['Фото|https://files.example.com/p.png', 'https://files.example.com/dir/report.xlsx'],
      });
      expect(r.bodies).toEqual([
        expect.objectContaining({
          type: 'document',
          document: { link: 'https://files.example.com/p.png', filename: 'Фото' },
        }),
        expect.objectContaining({
          type: 'document',
          document: { link: 'https://files.example.com/dir/report.xlsx', filename: 'report.xlsx' },
        }),
      ]);
      expect(r.values.message_ids).toBe(r.wamids.join(','));
    });

    it('send_location', async () => {
      const r = await run(`wa_send_location${suffix}`, {
        phone: CUSTOMER,
        latitude: '55.7558',
        longitude: '37.6173',
        name: 'Офис',
        address: 'Москва, Тверская 1',
      });
      expect(r.bodies).toEqual([
        expect.objectContaining({
          type: 'location',
          location: { latitude: 55.7558, longitude: 37.6173, name: 'Офис', address: 'Москва, Тверская 1' },
        }),
      ]);
      expect(r.values).toMatchObject({ status: 'sent', message_id: r.wamids[0] });
      expect(r.log).toBe(`WhatsApp: location Офис (55.7558, 37.6173) sent → +${CUSTOMER} (${r.wamids[0]})`);
    });

    it('send_contact typed in', async () => {
      const r = await run(`wa_send_contact${suffix}`, {
        phone: CUSTOMER,
        contact_name: 'Мария',
        contact_phones: '+7 900 111-22-33\n8 900 444-55-66',
        contact_email: 'm@example.com',
        contact_company: 'ООО Ромашка',
      });
      expect(r.bodies[0]).toMatchObject({
        type: 'contacts',
        contacts: [
          {
            name: { formatted_name: 'Мария' },
            phones: [{ phone: '+79001112233' }, { phone: '+79004445566' }],
            emails: [{ email: 'm@example.com' }],
            org: { company: 'ООО Ромашка' },
          },
        ],
      });
      expect(r.values).toMatchObject({ status: 'sent', message_id: r.wamids[0] });
      expect(r.log).toContain('contact "Мария" sent');
    });

    it('send_reaction, and an empty emoji removes it', async () => {
      const put = await run(`wa_send_reaction${suffix}`, { phone: CUSTOMER, message_id: 'wamid.ABC', emoji: '👍' });
      expect(put.bodies).toEqual([
        expect.objectContaining({ type: 'reaction', reaction: { message_id: 'wamid.ABC', emoji: '👍' } }),
      ]);
      expect(put.log).toContain('reaction 👍 to wamid.ABC');
      const removed = await run(`wa_send_reaction${suffix}`, { phone: CUSTOMER, message_id: 'wamid.ABC' });
      expect(removed.bodies[0]).toMatchObject({ reaction: { message_id: 'wamid.ABC', emoji: '' } });
      expect(removed.values).toMatchObject({ status: 'sent', message_id: removed.wamids[0] });
    });

    it('send_template maps header, body and quick-reply parameters', async () => {
      const r = await run(`wa_send_template${suffix}`, {
        phone: CUSTOMER,
        template: 'order_ready',
        body_params: ['Анна', '№ 42'],
        header_params: 'Заказ',
        button_params: ['YES_PAYLOAD', 'NO_PAYLOAD'],
      });
      expect(r.bodies[0]).toMatchObject({
        type: 'template',
        template: {
          name: 'order_ready',
          language: { code: 'ru' },
          components: [
            { type: 'header', parameters: [{ type: 'text', text: 'Заказ' }] },
            {
              type: 'body',
              parameters: [
                { type: 'text', text: 'Анна' },
                { type: 'text', text: '№ 42' },
              ],
            },
            {
              type: 'button',
              sub_type: 'quick_reply',
              index: '0',
              parameters: [{ type: 'payload', payload: 'YES_PAYLOAD' }],
            },
            {
              type: 'button',
              sub_type: 'quick_reply',
              index: '1',
              parameters: [{ type: 'payload', payload: 'NO_PAYLOAD' }],
            },
          ],
        },
      });
      expect(r.log).toContain('template order_ready (ru) sent');
    });

    it('send_list with descriptions; the section title defaults to the button label', async () => {
      const r = await run(`wa_send_list${suffix}`, {
        phone: CUSTOMER,
        header: 'Доставка',
        body: 'Выберите вариант',
        footer: 'Магазин',
        button: 'Варианты',
        rows: 'Экспресс|1–2 дня\nОбычная',
      });
      expect(r.bodies[0]).toMatchObject({
        type: 'interactive',
        interactive: {
          type: 'list',
          header: { type: 'text', text: 'Доставка' },
          body: { text: 'Выберите вариант' },
          footer: { text: 'Магазин' },
          action: {
            button: 'Варианты',
            sections: [
              {
                title: 'Варианты',
                rows: [
                  { id: 'r:1', title: 'Экспресс', description: '1–2 дня' },
                  { id: 'r:2', title: 'Обычная' },
                ],
              },
            ],
          },
        },
      });
      expect(r.values).toMatchObject({ status: 'sent', message_id: r.wamids[0] });
      expect(r.log).toContain('list sent (Экспресс | Обычная)');
    });

    it('check_number answers unknown on the Cloud API, with the reason in the log', async () => {
      const r = await run(`wa_check_number${suffix}`, { phone: '+7 (916) 123-45-67' });
      expect(r.values).toEqual({
        exists: 'unknown',
        normalized_phone: CUSTOMER,
        status: 'ok',
        error_code: '',
        error: '',
      });
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
});
