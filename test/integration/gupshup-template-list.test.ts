import { componentsFor } from '../../actions/template-message';
import { connectGupshupLine, GUPSHUP } from '../helpers/gupshup';
import { createHarness, type Harness } from '../helpers/harness';
import { robotCallContext } from '../helpers/robot-call-context';

const CUSTOMER = '79161234567';
const template = { type: 'template' as const, name: 'order_ready', language: 'ru', components: [] };

// Review of issue 13 (#2, #3): GupShup sends templates by its own id, read from the app's template
// list. One entry the list cannot describe must not stop the others, and the read happens before the
// send step is marked in flight: a failed read sent nothing, so a retry is a first send, never "maybe sent".
describe("GupShup's template list and template sends", () => {
  let h: Harness;
  beforeEach(async () => {
    h = await createHarness({ startWorkers: false });
    await connectGupshupLine(h);
    h.gupshup.addTemplate({
      appName: GUPSHUP.appName,
      elementName: 'order_ready',
      languageCode: 'ru',
      category: 'UTILITY',
      status: 'APPROVED',
      data: 'Заказ готов',
    });
  });
  afterEach(async () => {
    await h.close();
  });

  const context = (callKey: string) =>
    robotCallContext(h, { code: 'wa_send_template', callKey, lineId: GUPSHUP.lineId, ifMaybeSent: 'skip' });

  it('null fields read as empty, an entry without an id is left out, the others are listed and sent', async () => {
    h.gupshup.addListedAsIs(GUPSHUP.appName, {
      id: '0f4bd0a2-5b5e-4d3b-9e0e-3b2c1d0a9f8e',
      elementName: 'legacy_promo',
      languageCode: 'ru',
      status: 'APPROVED',
      category: null,
      templateType: null,
      data: null,
      containerMeta: null,
    });
    h.gupshup.addListedAsIs(GUPSHUP.appName, { id: null, elementName: 'broken' });
    const line = await h.rt.lines.get(h.memberId, GUPSHUP.lineId);
    if (!line) throw new Error('no line');
    const listed = await h.rt.providerFor(line).listTemplates?.();
    expect(listed?.map((t) => t.name).sort()).toEqual(['legacy_promo', 'order_ready']);
    expect(listed?.find((t) => t.name === 'legacy_promo')).toMatchObject({ category: '', headerFormat: 'NONE' });
    const sent = await (await context('k-list')).send(template, { to: CUSTOMER });
    expect(sent.providerMessageId).toBe(h.gupshup.sent()[0]?.messageId);
  });

  it('a template list read that fails leaves the step untouched: the retry sends (if_maybe_sent=skip does not skip)', async () => {
    h.gupshup.failNext({ status: 500, on: 'list' });
    await expect((await context('k-read')).send(template, { to: CUSTOMER })).rejects.toMatchObject({
      retryable: true,
      outcomeUnknown: false,
    });
    expect(await h.rt.messages.sendStep(h.memberId, 'k-read', 0)).toEqual({ state: 'new' });
    expect(h.gupshup.sent()).toEqual([]);
    const sent = await (await context('k-read')).send(template, { to: CUSTOMER });
    expect(sent.providerMessageId).not.toBe('');
    expect(h.gupshup.sent().map((s) => s.messageId)).toEqual([sent.providerMessageId]);
  });

  it('a copy-code template: the coupon goes as the param after the body, and GupShup takes it', async () => {
    h.gupshup.addTemplate({
      appName: GUPSHUP.appName,
      elementName: 'autumn_sale',
      languageCode: 'ru',
      category: 'MARKETING',
      status: 'APPROVED',
      data: 'Скидка {{1}} до конца месяца',
      buttons: [
        { type: 'QUICK_REPLY', text: 'Не интересно' },
        { type: 'COPY_CODE', text: 'Скопировать код' },
      ],
    });
    const line = await h.rt.lines.get(h.memberId, GUPSHUP.lineId);
    if (!line) throw new Error('no line');
    const listed = (await h.rt.providerFor(line).listTemplates?.())?.find((t) => t.name === 'autumn_sale');
    if (!listed) throw new Error('not listed');
    expect(listed.buttons.map((b) => b.param)).toEqual([false, true]);
    const request = { name: 'autumn_sale', language: 'ru', body: ['25%'], header: [], payloads: [], urlSuffixes: [] };
    const components = componentsFor(listed, { ...request, couponCode: 'AUTUMN25' });
    const sent = await (await context('k-coupon')).send(
      { type: 'template', name: 'autumn_sale', language: 'ru', components },
      { to: CUSTOMER },
    );
    const [posted] = h.gupshup.sent();
    expect(posted?.messageId).toBe(sent.providerMessageId);
    expect(posted?.message).toEqual({ id: listed.id, params: ['25%', 'AUTUMN25'] });
  });
});
