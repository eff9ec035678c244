import { z } from 'zod';
import { runLinesCommand } from '../../cli/lines-command';
import { createRegisteredHarness, eventually, type Harness } from '../helpers/harness';

type Props = Record<string, Record<string, unknown>>;

/** The registered PROPERTIES of a robot or activity on the simulated portal. */
function propertiesOf(h: Harness, code: string): Props {
  const found = [...h.portal.robots(), ...h.portal.activities()].find((r) => r.code === code);
  if (!found) throw new Error(`${code} is not registered`);
  return found.properties;
}

const optionsSchema = z.record(z.string(), z.string()).optional().catch(undefined);
const lineOptions = (h: Harness, code: string) => optionsSchema.parse(propertiesOf(h, code).line?.OPTIONS);

describe('robots as a Russian portal sees them: names, field order, selects, the line select', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createRegisteredHarness({ languageId: 'ru', portalTimeZone: 'Asia/Yekaterinburg' });
  });
  afterAll(async () => {
    await h.close();
  });

  it('registers prefixed names in both languages and select options in the portal language', async () => {
    const buttons = h.portal.robots().find((r) => r.code === 'wa_send_buttons');
    expect(buttons?.name).toEqual({
      ru: '[OLChat] WhatsApp Отправка сообщения с кнопками',
      en: '[OLChat] WhatsApp Send a message with buttons',
    });
    for (const r of [...h.portal.robots(), ...h.portal.activities()])
      expect(r.name).toMatchObject({ ru: expect.stringMatching(/^\[OLChat\] WhatsApp [А-Я]/) });
    const props = propertiesOf(h, 'wa_send_buttons');
    // What the message says, then recipient and line, then the technical options.
    expect(Object.keys(props).slice(0, 7)).toEqual([
      'header',
      'body',
      'footer',
      'buttons',
      'phone',
      'line',
      'reply_to',
    ]);
    expect(props.wait_for?.OPTIONS).toEqual({ nothing: 'не ждать', delivered: 'доставлено', read: 'прочитано' });
    expect(props.timeout_unit?.OPTIONS).toEqual({ minutes: 'минуты', hours: 'часы', days: 'дни' });
    expect(props.match_mode?.DESCRIPTION).toMatchObject({ ru: expect.stringContaining('Обычно') });
    const returns = h.portal.robots().find((r) => r.code === 'wa_send_buttons')?.returnProperties;
    expect(returns?.status?.NAME).toEqual({
      ru: 'Статус: sent, error, answered, timeout, cancelled',
      en: 'Status: sent, error, answered, timeout, cancelled',
    });
  });

  it("reads the portal's time zone from the installing admin's profile", async () => {
    const portal = await eventually(async () => {
      const p = await h.rt.portals.get(h.memberId);
      return p?.timeZone ? p : null;
    });
    expect(portal.timeZone).toBe('Asia/Yekaterinburg');
  });

  it('lists the lines in every line select after `lines add`, and drops a removed one after `lines remove`', async () => {
    await runLinesCommand(
      h.rt,
      'add',
      {
        portal: h.memberId,
        'phone-number-id': '300000000000004',
        'access-token': 'tok-4',
        name: 'Продажи',
        id: 'sales',
      },
      [],
    );
    await eventually(() => lineOptions(h, 'wa_send_text_bp')?.sales !== undefined, 15_000, 'line select with sales');
    await eventually(() => lineOptions(h, 'wa_check_number')?.sales !== undefined, 15_000, 'robot line select');
    for (const r of [...h.portal.robots(), ...h.portal.activities()])
      expect(r.properties.line).toMatchObject({ TYPE: 'select', OPTIONS: { main: 'Main line', sales: 'Продажи' } });

    await runLinesCommand(h.rt, 'remove', { portal: h.memberId }, ['sales']);
    await eventually(
      () => [...h.portal.robots(), ...h.portal.activities()].every((r) => lineOptions(h, r.code)?.sales === undefined),
      15_000,
      'line select without sales',
    );
    expect(lineOptions(h, 'wa_send_text')).toEqual({ main: 'Main line' });
  });
});
