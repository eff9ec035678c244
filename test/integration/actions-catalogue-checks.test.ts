import { cloudActionRunner } from '../helpers/cloud-actions';
import { createRegisteredHarness, type Harness } from '../helpers/harness';
import { CUSTOMER } from '../helpers/waits';

// The recipient and a contact taken from the CRM, and the limits checked before anything is sent.
// Each action sent as a robot and as an activity: actions-catalogue.test.ts (whose describe title this
// file keeps, so every test keeps its full name).
describe('action catalogue on a Cloud API line', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createRegisteredHarness();
  });
  afterAll(async () => {
    await h.close();
  });

  const { deal, run } = cloudActionRunner(() => h);

  it('takes the recipient from the deal contact when no phone is given', async () => {
    const contactId = h.portal.createContact({
      name: 'Anna',
      phones: [{ value: '8 916 765-43-21', valueType: 'MOBILE' }],
    });
    const r = await run('wa_send_location', { latitude: '1', longitude: '2' }, deal(contactId));
    expect(r.bodies[0]).toMatchObject({ to: '79167654321' });
    expect(r.log).toContain('phone taken from the CRM');
  });

  it('send_contact from a CRM contact id takes its name, phones and e-mails', async () => {
    const contactId = h.portal.createContact({
      name: 'Пётр',
      lastName: 'Иванов',
      phones: [{ value: '+79001112244' }, { value: '+74951234567', valueType: 'WORK' }],
      emails: [{ value: 'p@example.com' }],
    });
    const r = await run('wa_send_contact_bp', { phone: CUSTOMER, contact_id: String(contactId) });
    expect(r.bodies[0]).toMatchObject({
      contacts: [
        {
          name: { formatted_name: 'Пётр Иванов', first_name: 'Пётр', last_name: 'Иванов' },
          phones: [{ phone: '+79001112244' }, { phone: '+74951234567' }],
          emails: [{ email: 'p@example.com' }],
        },
      ],
    });
    expect(r.log).toContain('contact "Пётр Иванов" sent');
    const missing = await run('wa_send_contact', { phone: CUSTOMER, contact_id: '99999' });
    expect(missing.values).toMatchObject({ status: 'error', error_code: 'crm_not_found' });
  });

  it.each([
    ['11 rows', { rows: Array.from({ length: 11 }, (_, i) => `Row ${i + 1}`) }, 'Rows (up to 10): at most 10 values'],
    ['a 25-character row title', { rows: ['x'.repeat(25)] }, 'title at most 24 characters'],
    ['a 73-character description', { rows: [`ok|${'d'.repeat(73)}`] }, 'description at most 72 characters'],
    ['a 21-character button', { button: 'b'.repeat(21) }, 'List button label: at most 20 characters'],
  ])('send_list refuses %s before sending', async (_what, override, message) => {
    const r = await run('wa_send_list', {
      phone: CUSTOMER,
      body: 'Выберите',
      button: 'Варианты',
      rows: ['A', 'B'],
      ...override,
    });
    expect(r.values).toMatchObject({ status: 'error', error_code: 'invalid_property' });
    expect(String(r.values.error)).toContain(message);
    expect(r.attempts).toBe(0);
  });

  // Reply settings that would each refuse a waiting send (review-s20-dedupe #5).
  const badReplySettings = {
    timeout: '0',
    timeout_unit: 'weeks',
    match_mode: 'regex',
    regex: '(',
    reask_max: '9',
    after_reask: 'later',
    stop_on_operator: 'maybe',
  };
  const answers = {
    wa_send_buttons: { buttons: ['Да', 'Нет'] },
    wa_send_list: { button: 'Варианты', rows: ['Да', 'Нет'] },
  };

  it.each(Object.entries(answers))('%s that does not wait is not refused for reply settings', async (code, given) => {
    const r = await run(code, { phone: CUSTOMER, body: 'b', ...given, ...badReplySettings, wait_reply: 'N' });
    expect(r.values).toMatchObject({ status: 'sent', message_id: r.wamids[0] });
    expect(r.attempts).toBe(1);
  });

  // "Off" in every form Bitrix24 may send it (the yes/no property's own reading): '0', blank, absent (default N).
  it.each<Record<string, string>>([{ wait_reply: '0' }, { wait_reply: 'n' }, { wait_reply: '' }, {}])(
    'send_buttons with wait_reply %j is not refused for reply settings',
    async (off) => {
      const r = await run('wa_send_buttons', {
        phone: CUSTOMER,
        body: 'b',
        ...answers.wa_send_buttons,
        ...badReplySettings,
        ...off,
      });
      expect(r.values).toMatchObject({ status: 'sent', message_id: r.wamids[0] });
    },
  );

  it('send_template that does not wait is not refused for reply settings, and is when it waits', async () => {
    const template = {
      phone: CUSTOMER,
      template: 'order_ready',
      body_params: ['Анна', '№ 42'],
      header_params: 'Заказ',
    };
    const off = await run('wa_send_template', { ...template, ...badReplySettings, wait_reply: 'N' });
    expect(off.values).toMatchObject({ status: 'sent', message_id: off.wamids[0] });
    const on = await run('wa_send_template', { ...template, ...badReplySettings, wait_reply: 'Y' });
    expect(on.values).toMatchObject({ status: 'error', error_code: 'invalid_property' });
    expect(String(on.values.error)).toContain('Reply time-out: ');
    expect(on.attempts).toBe(0);
  });

  it.each(Object.entries(answers))('%s that waits is refused for each bad reply setting', async (code, given) => {
    const waiting = { phone: CUSTOMER, body: 'b', ...given, wait_reply: 'Y' };
    const r = await run(code, { ...waiting, ...badReplySettings });
    expect(r.values).toMatchObject({ status: 'error', error_code: 'invalid_property' });
    for (const name of ['Reply time-out', 'Time unit', 'Re-ask at most (times)', 'After the re-asks']) {
      expect(String(r.values.error)).toContain(`${name}: `);
    }
    expect(String(r.values.error)).toContain('Stop waiting when an operator answers: Y or N');
    const regex = await run(code, { ...waiting, match_mode: 'regex', regex: '(' });
    expect(String(regex.values.error)).toContain('Regular expression: not a valid regular expression');
    const keywords = await run(code, { ...waiting, match_mode: 'keywords' });
    expect(String(keywords.values.error)).toContain('Keywords (keyword=answer): required when');
    expect(regex.attempts + keywords.attempts + r.attempts).toBe(0);
  });

  it('send_buttons that does not wait still refuses titles WhatsApp would refuse', async () => {
    const r = await run('wa_send_buttons', { phone: CUSTOMER, body: 'b', buttons: ['Да', 'да'], wait_reply: 'N' });
    expect(String(r.values.error)).toContain('titles must be unique');
    expect(r.attempts).toBe(0);
  });

  it('send_file refuses a non-http URL before sending anything', async () => {
    const r = await run('wa_send_file', {
      phone: CUSTOMER,
      files: ['https://files.example.com/ok.pdf', 'ftp://files.example.com/bad.pdf'],
    });
    expect(r.values).toMatchObject({ status: 'error', error_code: 'invalid_property' });
    expect(String(r.values.error)).toContain('Files, line 2');
    expect(r.attempts).toBe(0);
  });

  it('check_number refuses an invalid phone', async () => {
    const r = await run('wa_check_number', { phone: '12345' });
    expect(r.values).toMatchObject({ status: 'error', error_code: 'invalid_phone' });
  });
});
