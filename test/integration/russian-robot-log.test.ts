import { actions } from '../../actions';
import type { AnyAction } from '../../actions/define-action';
import { createRegisteredHarness, type Harness } from '../helpers/harness';
import { CUSTOMER } from '../helpers/waits';

/**
 * Properties every action refuses: required ones left out, every select and number given nonsense;
 * an action with nothing required or selectable (check_number) names a line that does not exist.
 */
function badProperties(action: AnyAction): Record<string, string> {
  const bad: Record<string, string> = { phone: CUSTOMER };
  for (const [code, p] of Object.entries(action.properties)) {
    if (p.optionsFromLines) continue;
    if (p.descriptor.Type === 'select') bad[code] = 'bogus';
    if (p.descriptor.Type === 'int' || p.descriptor.Type === 'double') bad[code] = 'abc';
  }
  const refused = Object.values(action.properties).some(
    (p) => p.descriptor.Required === 'Y' || (!p.optionsFromLines && p.descriptor.Type === 'select'),
  );
  return refused ? bad : { ...bad, line: 'bogus' };
}

// Latin words a Russian reader meets in Russian text too: the brand, CRM, ID, e-mail, payload.
const KEPT = /\b(WhatsApp|CRM|ID|E-mail|payload)\b/g;
// Codes, ids and names the portal chose: snake_case codes, message ids, the harness line (main, "Main line").
const CODES = /\b[a-z0-9]+(?:_[a-z0-9]+)+\b|\bwamid\.[\w=-]+|\bmain\b|Main line|\bbogus\b/g;

/** The English words left once codes, ids and kept words are taken out. */
const englishWords = (text: string) =>
  text
    .replace(CODES, ' ')
    .replace(KEPT, ' ')
    .match(/[A-Za-z]{2,}/g) ?? [];

describe('a Russian portal reads its robot log in Russian', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createRegisteredHarness({ languageId: 'ru' });
  });
  afterAll(async () => {
    await h.close();
  });

  it.each(actions.map((a) => [a.code, a] as const))('%s with bad properties', async (_code, action) => {
    const dealId = h.portal.createDeal({ stageId: 'NEW' });
    const { run } = await h.portal.runRobot({
      code: `wa_${action.code}`,
      documentId: ['crm', 'CCrmDocumentDeal', `DEAL_${dealId}`],
      properties: badProperties(action),
    });
    const done = await h.portal.waitForRun(run.eventToken, 10_000);
    expect(done.returnValues).toMatchObject({ status: 'error' });
    expect(done.logMessage).toMatch(/^WhatsApp: ошибка [a-z_]+: /);
    expect(englishWords(done.logMessage ?? '')).toEqual([]);
    expect(englishWords(String(done.returnValues?.error))).toEqual([]);
  });

  it('names a too long header in Russian (it once read «Неверное значение свойства: header: at most 60 characters»)', async () => {
    const dealId = h.portal.createDeal({ stageId: 'NEW' });
    const { run } = await h.portal.runRobot({
      code: 'wa_send_buttons',
      documentId: ['crm', 'CCrmDocumentDeal', `DEAL_${dealId}`],
      properties: { phone: CUSTOMER, header: 'з'.repeat(61), body: 'Текст', buttons: ['Да', 'Нет'] },
    });
    const done = await h.portal.waitForRun(run.eventToken, 10_000);
    expect(done.returnValues?.error).toBe('Неверное значение свойства: «Заголовок»: не более 60 символов');
    expect(done.logMessage).toBe(
      'WhatsApp: ошибка invalid_property: Неверное значение свойства: «Заголовок»: не более 60 символов',
    );
  });
});
