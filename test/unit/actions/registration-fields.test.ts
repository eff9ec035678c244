import { z } from 'zod';
import { actions } from '../../../actions';
import { lineOptions, registrationFields } from '../../../actions/registration-fields';
import { sendButtons } from '../../../actions/send-buttons';

const descriptorsSchema = z.record(
  z.string(),
  z
    .object({
      Type: z.string(),
      Name: z.record(z.string(), z.string()),
      Options: z.record(z.string(), z.string()).optional(),
      Default: z.string().optional(),
    })
    .loose(),
);
const propertiesOf = (fields: Record<string, unknown>) => descriptorsSchema.parse(fields.PROPERTIES);

const ru = { lang: 'ru' as const, prefix: '[OLChat] WhatsApp', lines: [{ id: 'main', name: 'Продажи' }] };
const handler = 'https://wa.example.com/b24/robot';

describe('registration descriptors', () => {
  it('names every robot with the product prefix, in both languages', () => {
    expect(registrationFields(sendButtons, handler, 1, ru).NAME).toEqual({
      ru: '[OLChat] WhatsApp Отправка сообщения с кнопками',
      en: '[OLChat] WhatsApp Send a message with buttons',
    });
    for (const action of actions)
      expect(registrationFields(action, handler, 1, { ...ru, prefix: 'ACME' }).NAME).toMatchObject({
        ru: expect.stringMatching(/^ACME [А-Я]/),
        en: expect.stringMatching(/^ACME [A-Z]/),
      });
  });

  it('orders fields: the message first, then recipient and line, then the technical options', () => {
    for (const action of actions) {
      const codes = Object.keys(propertiesOf(registrationFields(action, handler, 1, ru)));
      const phone = codes.indexOf('phone');
      expect(codes.indexOf('line')).toBe(phone + 1);
      const technical = ['reply_to', 'show_in_chat', 'wait_for', 'wait_reply', 'match_mode'].map((c) =>
        codes.indexOf(c),
      );
      for (const at of technical.filter((i) => i >= 0)) expect(at).toBeGreaterThan(phone);
      const content = codes.slice(0, phone);
      if (action.code === 'send_text') expect(content).toEqual(['text', 'preview_url']);
    }
  });

  it("writes select options in the portal's language, never two languages in one label", () => {
    const ruProps = propertiesOf(registrationFields(sendButtons, handler, 1, ru));
    const enProps = propertiesOf(registrationFields(sendButtons, handler, 1, { ...ru, lang: 'en' }));
    expect(ruProps.timeout_unit?.Options).toEqual({ minutes: 'минуты', hours: 'часы', days: 'дни' });
    expect(enProps.timeout_unit?.Options).toEqual({ minutes: 'minutes', hours: 'hours', days: 'days' });
    for (const action of actions)
      for (const p of Object.values(propertiesOf(registrationFields(action, handler, 1, ru))))
        for (const label of Object.values(p.Options ?? {})) expect(label).not.toMatch(/\//);
  });

  it("makes line a select of the portal's lines (an id added when two share a name)", () => {
    const line = propertiesOf(registrationFields(sendButtons, handler, 1, ru)).line;
    expect(line).toMatchObject({ Type: 'select', Options: { main: 'Продажи' } });
    expect(line?.Default).toBeUndefined();
    expect(
      lineOptions([
        { id: 'a', name: 'Sales' },
        { id: 'b', name: 'Sales' },
        { id: 'c', name: '' },
      ]),
    ).toEqual({ a: 'Sales (a)', b: 'Sales (b)', c: 'c' });
  });

  it('lists the values status can take in its label', () => {
    const returns = descriptorsSchema.parse(registrationFields(sendButtons, handler, 1, ru).RETURN_PROPERTIES);
    expect(returns.status?.Name.ru).toBe('Статус: sent, error, answered, timeout, cancelled');
  });
});
