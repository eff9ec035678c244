import { createGupshupSimulator, type GupshupSimulator } from '../../simulators/gupshup';
import { type Receiver, startReceiver } from './receiver';

const APP = { appName: 'ShopApp', apiKey: 'gs-key', source: '79007778899' };
const CUSTOMER = '79161234567';

// waba-wire.md §5.2 (template sends), §5.7 (the list, containerMeta), §2/§5.6 (the window, enforced after acceptance).
describe('GupShup simulator: templates and the 24-hour window', () => {
  let sim: GupshupSimulator;
  let url: string;
  let now: number;
  let hooks: Receiver;
  beforeEach(async () => {
    now = Date.UTC(2026, 11, 1, 9);
    sim = createGupshupSimulator({ now: () => now });
    ({ url } = await sim.start(0));
    hooks = await startReceiver();
    sim.setWebhook({ url: hooks.url });
    sim.addApp(APP);
  });
  afterEach(async () => {
    await Promise.all([sim.stop(), hooks.stop()]);
  });

  const post = async (path: string, form: Record<string, string>) => {
    const res = await fetch(`${url}${path}`, {
      method: 'POST',
      headers: { apikey: APP.apiKey, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        channel: 'whatsapp',
        source: APP.source,
        destination: CUSTOMER,
        'src.name': APP.appName,
        ...form,
      }).toString(),
    });
    return { status: res.status, json: (await res.json()) as Record<string, unknown> };
  };
  const photo = () =>
    sim.addTemplate({
      appName: APP.appName,
      elementName: 'order_photo',
      languageCode: 'ru',
      category: 'UTILITY',
      status: 'APPROVED',
      templateType: 'IMAGE',
      data: 'Заказ {{1}} собран',
      buttons: [{ type: 'QUICK_REPLY', text: 'Спасибо' }],
    });

  it('lists templates with their definition in containerMeta (a JSON string)', async () => {
    const t = photo();
    const res = await fetch(`${url}/sm/api/v1/template/list/${APP.appName}`, { headers: { apikey: APP.apiKey } });
    const json = (await res.json()) as { status: string; templates: Array<Record<string, unknown>> };
    expect(json.status).toBe('success');
    expect(json.templates[0]).toMatchObject({ id: t.id, elementName: 'order_photo', templateType: 'IMAGE' });
    expect(JSON.parse(String(json.templates[0]?.containerMeta))).toEqual({
      data: 'Заказ {{1}} собран',
      buttons: [{ type: 'QUICK_REPLY', text: 'Спасибо' }],
    });
  });

  it('a template send must carry the header of the template, its params and valid quick-reply indexes', async () => {
    const t = photo();
    const template = JSON.stringify({ id: t.id, params: ['A-17'] });
    const image = JSON.stringify({ type: 'image', image: { link: 'https://cdn.example.com/p.jpg' } });
    const path = '/wa/api/v1/template/msg';
    expect(await post(path, { template })).toMatchObject({
      status: 400,
      json: { message: expect.stringContaining('image header') },
    });
    const video = JSON.stringify({ type: 'video', video: { link: 'https://cdn.example.com/v.mp4' } });
    expect((await post(path, { template, message: video })).status).toBe(400);
    const noParams = JSON.stringify({ id: t.id, params: [] });
    expect((await post(path, { template: noParams, message: image })).json.message).toBe(
      'Template params mismatch: expected 1, got 0',
    );
    const badIndex = JSON.stringify([{ index: 1, text: 'x' }]);
    expect((await post(path, { template, message: image, postbackTexts: badIndex })).status).toBe(400);
    const ok = await post(path, { template, message: image, postbackTexts: JSON.stringify([{ index: 0, text: 'x' }]) });
    expect(ok).toMatchObject({ status: 202, json: { status: 'submitted' } });
  });

  it('enforces the window: a session message to a silent customer is accepted, then fails (1005) unless the customer wrote within 24 hours', async () => {
    photo();
    const text = JSON.stringify({ type: 'text', text: 'Привет' });
    const accepted = await post('/wa/api/v1/msg', { message: text });
    expect(accepted.status).toBe(200);
    sim.enforceWindow(true);
    const refused = await post('/wa/api/v1/msg', { message: text });
    expect(refused.status).toBe(200);
    const [event] = await hooks.waitFor(1);
    expect(JSON.parse(event?.raw ?? '{}')).toMatchObject({
      type: 'message-event',
      payload: { id: refused.json.messageId, type: 'failed', payload: { code: 1005 } },
    });
    // The customer writes: open for 24 hours of the simulator's clock.
    await sim.deliverIncoming({ appName: APP.appName, from: CUSTOMER, content: { type: 'text', text: 'Привет' } });
    sim.windowRefusals('held');
    await post('/wa/api/v1/msg', { message: text });
    now += 86_400_000 + 1000;
    await post('/wa/api/v1/msg', { message: text });
    const released = await sim.releaseRefusals();
    expect(released).toHaveLength(1);
  });
});
