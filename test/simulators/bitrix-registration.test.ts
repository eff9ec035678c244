import type { BitrixPortalSimulator } from '../../simulators/bitrix24';
import { rest, robotFields, startPortal } from './bitrix-helpers';

describe('bitrix24 simulator: robot / activity registration', () => {
  let sim: BitrixPortalSimulator;
  const handler = 'http://127.0.0.1:9/robot';
  beforeEach(async () => ({ sim } = await startPortal()));
  afterEach(() => sim.stop());

  it('adds a robot once; the second add fails with ERROR_ACTIVITY_ALREADY_INSTALLED', async () => {
    const first = await rest(sim, 'bizproc.robot.add', robotFields('wa_send', handler));
    expect(first.status).toBe(200);
    expect(first.json.result).toBe(true);
    expect(first.json.time).toEqual(expect.objectContaining({ start: expect.any(Number), operating: 0 }));
    const second = await rest(sim, 'bizproc.robot.add', robotFields('wa_send', handler));
    expect(second.status).toBe(400);
    expect(second.json).toEqual({
      error: 'ERROR_ACTIVITY_ALREADY_INSTALLED',
      error_description: 'Activity or Robot already installed!',
    });
    expect(sim.robots()[0]?.properties.text?.NAME).toBe('Text');
  });

  it('shares one code namespace between robots and activities; list/update/delete see their own kind', async () => {
    await rest(sim, 'bizproc.activity.add', robotFields('wa_x', handler));
    const clash = await rest(sim, 'bizproc.robot.add', robotFields('wa_x', handler));
    expect(clash.json.error).toBe('ERROR_ACTIVITY_ALREADY_INSTALLED');
    expect((await rest(sim, 'bizproc.robot.list')).json.result).toEqual([]);
    expect((await rest(sim, 'bizproc.activity.list')).json.result).toEqual(['wa_x']);
    const upd = await rest(sim, 'bizproc.robot.update', { CODE: 'wa_x', FIELDS: { NAME: 'n' } });
    expect(upd.json).toEqual({ error: 'ERROR_ACTIVITY_NOT_FOUND', error_description: 'Activity or Robot not found!' });
    const empty = await rest(sim, 'bizproc.activity.update', { code: 'wa_x', fields: {} });
    expect(empty.json.error_description).toBe('No fields to update');
    expect(
      (await rest(sim, 'bizproc.activity.update', { code: 'wa_x', fields: { use_subscription: 'N' } })).json.result,
    ).toBe(true);
    expect(sim.activities()[0]?.useSubscription).toBe('N');
    expect((await rest(sim, 'bizproc.robot.delete', { CODE: 'wa_x' })).json.error).toBe('ERROR_ACTIVITY_NOT_FOUND');
    expect((await rest(sim, 'bizproc.activity.delete', { CODE: 'wa_x' })).json.result).toBe(true);
  });

  it('checks select options: plain labels, a default among the keys; update replaces the options', async () => {
    const withSelect = (options: unknown, extra: Record<string, unknown> = {}) => {
      const fields = robotFields('wa_sel', handler);
      return { ...fields, PROPERTIES: { line: { Name: 'Line', Type: 'select', Options: options, ...extra } } };
    };
    const perLanguage = await rest(sim, 'bizproc.robot.add', withSelect({ a: { ru: 'А', en: 'A' } }));
    expect(perLanguage.json).toEqual({
      error: 'ERROR_ACTIVITY_VALIDATION_FAILURE',
      error_description: 'Wrong property OPTIONS (line)!',
    });
    const badDefault = await rest(sim, 'bizproc.robot.add', withSelect({ a: 'A' }, { Default: 'b' }));
    expect(badDefault.json.error_description).toBe('Wrong property DEFAULT (line)!');
    // No options yet (a portal without lines): PHP drops the empty array, and that is fine.
    expect((await rest(sim, 'bizproc.robot.add', withSelect({}))).json.result).toBe(true);
    const updated = await rest(sim, 'bizproc.robot.update', {
      CODE: 'wa_sel',
      FIELDS: { PROPERTIES: { line: { Name: 'Line', Type: 'select', Options: { main: 'Main', sales: 'Sales' } } } },
    });
    expect(updated.json.result).toBe(true);
    expect(sim.robots()[0]?.properties.line?.OPTIONS).toEqual({ main: 'Main', sales: 'Sales' });
  });

  it('validates code, handler, name and property keys', async () => {
    const cases: Array<[Record<string, unknown>, string, string]> = [
      [{ ...robotFields('bad code', handler) }, 'ERROR_ACTIVITY_VALIDATION_FAILURE', 'Wrong activity code!'],
      [{ ...robotFields('ok', 'http://localhost/x') }, 'ERROR_WRONG_HANDLER_URL', 'Wrong handler URL'],
      [{ ...robotFields('ok', 'ftp://a.b/x') }, 'ERROR_UNSUPPORTED_PROTOCOL', 'Unsupported protocol'],
      [{ ...robotFields('ok', handler), NAME: '' }, 'ERROR_ACTIVITY_VALIDATION_FAILURE', 'Empty activity NAME!'],
      [
        { ...robotFields('ok', handler), PROPERTIES: { '1x': { Name: 'a' } } },
        'ERROR_ACTIVITY_VALIDATION_FAILURE',
        'Wrong property key (1x)!',
      ],
      [
        { ...robotFields('ok', handler), RETURN_PROPERTIES: { a: { Type: 'string' } } },
        'ERROR_ACTIVITY_VALIDATION_FAILURE',
        'Empty property NAME (a)!',
      ],
    ];
    for (const [fields, code, text] of cases) {
      const r = await rest(sim, 'bizproc.robot.add', fields);
      expect([r.status, r.json.error, r.json.error_description]).toEqual([400, code, text]);
    }
  });

  it('accepts form-encoded bodies, double slashes and query auth', async () => {
    const body = 'CODE=form_robot&HANDLER=https%3A%2F%2Fapp.example.com%2Fr&NAME=Form&PROPERTIES%5Btext%5D%5BName%5D=T';
    const res = await fetch(
      `${sim.url()}/rest//bizproc.robot.add?auth=${sim.currentTokens().accessToken}&bx24_request_id=1`,
      {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body,
      },
    );
    expect(res.status).toBe(200);
    expect(sim.robots().map((r) => r.code)).toEqual(['form_robot']);
  });

  it('answers unknown methods, missing and unknown tokens', async () => {
    expect((await rest(sim, 'no.such.method')).json).toEqual({
      error: 'ERROR_METHOD_NOT_FOUND',
      error_description: 'Method not found!',
    });
    const noAuth = await fetch(`${sim.url()}/rest/profile`, { method: 'POST' });
    expect(noAuth.status).toBe(401);
    expect(((await noAuth.json()) as { error: string }).error).toBe('NO_AUTH_FOUND');
    const bad = await rest(sim, 'profile', {}, 'nope');
    expect([bad.status, bad.json.error]).toEqual([401, 'invalid_token']);
  });

  it('binds events once and lists them', async () => {
    const b = { event: 'onCrmDealUpdate', handler: 'http://127.0.0.1:9/ev' };
    expect((await rest(sim, 'event.bind', b)).json.result).toBe(true);
    expect((await rest(sim, 'event.bind', b)).json).toEqual({
      error: 'ERROR_CORE',
      error_description: 'Handler already binded',
    });
    expect((await rest(sim, 'event.get')).json.result).toEqual([
      { event: 'ONCRMDEALUPDATE', handler: b.handler, auth_type: '0', offline: 0 },
    ]);
    expect((await rest(sim, 'event.unbind', b)).json.result).toEqual({ count: 1 });
  });

  it('reads CRM entities in their documented shapes', async () => {
    const contactId = sim.createContact({ name: 'Иван', phones: [{ value: '+79161234567', valueType: 'MOBILE' }] });
    const dealId = sim.createDeal({ title: 'D', categoryId: 1, contactId });
    const deal = (await rest(sim, 'crm.deal.get', { id: dealId })).json.result;
    expect(deal).toEqual(
      expect.objectContaining({
        ID: String(dealId),
        STAGE_ID: 'C1:NEW',
        CATEGORY_ID: '1',
        CONTACT_ID: String(contactId),
        STAGE_SEMANTIC_ID: 'P',
      }),
    );
    const contact = (await rest(sim, 'crm.contact.get', { ID: contactId })).json.result as Record<string, unknown>;
    expect(contact.PHONE).toEqual([
      { ID: expect.any(String), VALUE_TYPE: 'MOBILE', VALUE: '+79161234567', TYPE_ID: 'PHONE' },
    ]);
    expect('EMAIL' in contact).toBe(false);
    expect((await rest(sim, 'crm.deal.get', { id: 999 })).json).toEqual({ error: '', error_description: 'Not found' });
    const itemId = sim.createItem({ entityTypeId: 1032, categoryId: 8, contactId });
    const item = (await rest(sim, 'crm.item.get', { entityTypeId: 1032, id: itemId })).json.result;
    expect(item).toEqual({
      item: expect.objectContaining({
        id: itemId,
        entityTypeId: 1032,
        stageId: 'DT1032_8:NEW',
        categoryId: 8,
        contactId,
      }),
    });
    const missing = await rest(sim, 'crm.item.get', { entityTypeId: 1032, id: 77 });
    expect([missing.status, missing.json.error]).toEqual([400, 'NOT_FOUND']);
  });
});
