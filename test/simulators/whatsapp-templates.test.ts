import { type CloudApiSimulator, createCloudApiSimulator } from '../../simulators/whatsapp-cloud';
import { postJson, type Receiver, startReceiver } from './receiver';

const TOKEN = 'EAAG-test-token';
const PHONE_ID = '200000000000002';
const WABA = '300000000000003';
const CUSTOMER = '79161234567';

/** GET with a bearer token: status and JSON. */
async function getJson(url: string, token = TOKEN): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(url, { headers: { Authorization: `Bearer ${token}` } });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

const errorCode = (json: Record<string, unknown>) => (json.error as { code: number }).code;

// waba-wire.md §1.1 (list, paging), §1.2 and §1.5 (strict sends), §2 (the window, enforced after acceptance).
describe('whatsapp cloud simulator: templates and the 24-hour window', () => {
  let sim: CloudApiSimulator;
  let url: string;
  let now: number;
  let hooks: Receiver;
  const send = (body: Record<string, unknown>) =>
    postJson(
      `${url}/v25.0/${PHONE_ID}/messages`,
      { messaging_product: 'whatsapp', to: CUSTOMER, ...body },
      {
        Authorization: `Bearer ${TOKEN}`,
      },
    );
  const template = (name: string, components: unknown[] = [], language = 'ru') =>
    send({ type: 'template', template: { name, language: { code: language }, components } });
  beforeEach(async () => {
    now = Date.UTC(2026, 11, 1, 9);
    sim = createCloudApiSimulator({ appSecret: 's3cret', now: () => now });
    ({ url } = await sim.start(0));
    hooks = await startReceiver();
    sim.setWebhook({ url: hooks.url });
    sim.addPhoneNumber({
      phoneNumberId: PHONE_ID,
      accessToken: TOKEN,
      displayPhoneNumber: '79001112233',
      wabaId: WABA,
    });
    sim.addPhoneNumber({ phoneNumberId: '200000000000009', accessToken: 'other', displayPhoneNumber: '79001112299' });
    sim.addTemplate(WABA, {
      name: 'order_ready',
      language: 'ru',
      status: 'APPROVED',
      category: 'UTILITY',
      components: [
        { type: 'HEADER', format: 'IMAGE' },
        { type: 'BODY', text: 'Заказ {{1}} готов' },
        { type: 'BUTTONS', buttons: [{ type: 'URL', text: 'Трекинг', url: 'https://t.example/{{1}}' }] },
      ],
    });
  });
  afterEach(async () => {
    await sim.stop();
    await hooks.stop();
  });

  it('lists the account templates page by page with cursors and a next link', async () => {
    for (const name of ['a', 'b', 'c', 'd'])
      sim.addTemplate(WABA, { name, language: 'ru', status: 'PENDING', category: 'MARKETING', components: [] });
    const first = await getJson(`${url}/v25.0/${WABA}/message_templates?limit=2&fields=name,status`);
    expect(first.status).toBe(200);
    expect((first.json.data as Array<{ name: string }>).map((t) => t.name)).toEqual(['order_ready', 'a']);
    const paging = first.json.paging as { next: string; cursors: { after: string } };
    const second = await getJson(paging.next);
    expect((second.json.data as Array<{ name: string }>).map((t) => t.name)).toEqual(['b', 'c']);
    const last = await getJson(
      `${url}/v25.0/${WABA}/message_templates?limit=2&after=${(second.json.paging as typeof paging).cursors.after}`,
    );
    expect((last.json.data as Array<{ name: string }>).map((t) => t.name)).toEqual(['d']);
    expect(last.json.paging).not.toHaveProperty('next');
    const approved = await getJson(`${url}/v25.0/${WABA}/message_templates?status=APPROVED`);
    expect(approved.json.data).toHaveLength(1);
    // Strict: a token of another account, a bad limit, a bad cursor.
    expect(errorCode((await getJson(`${url}/v25.0/${WABA}/message_templates`, 'other')).json)).toBe(100);
    expect(errorCode((await getJson(`${url}/v25.0/${WABA}/message_templates`, 'nope')).json)).toBe(190);
    expect(errorCode((await getJson(`${url}/v25.0/${WABA}/message_templates?limit=0`)).json)).toBe(100);
    expect(errorCode((await getJson(`${url}/v25.0/${WABA}/message_templates?after=zzz`)).json)).toBe(100);
  });

  it('checks template sends against the definition: name, status, counts, kinds', async () => {
    const image = { type: 'header', parameters: [{ type: 'image', image: { link: 'https://cdn.example/p.jpg' } }] };
    const body = { type: 'body', parameters: [{ type: 'text', text: 'A-17' }] };
    const url1 = { type: 'button', sub_type: 'url', index: '0', parameters: [{ type: 'text', text: 'A-17' }] };
    expect((await template('order_ready', [image, body, url1])).status).toBe(200);
    expect(errorCode((await template('nope', [image, body, url1])).json)).toBe(132001);
    expect(errorCode((await template('order_ready', [image, body, url1], 'en')).json)).toBe(132001);
    expect(errorCode((await template('order_ready', [image, url1])).json)).toBe(132000);
    expect(errorCode((await template('order_ready', [image, body])).json)).toBe(132000);
    const video = { type: 'header', parameters: [{ type: 'video', video: { link: 'https://cdn.example/v.mp4' } }] };
    expect(errorCode((await template('order_ready', [video, body, url1])).json)).toBe(132012);
    await sim.setTemplateStatus(WABA, 'order_ready', 'ru', 'PAUSED');
    expect(errorCode((await template('order_ready', [image, body, url1])).json)).toBe(132015);
    // The status change went out as Meta's template webhook.
    const [hook] = await hooks.waitFor(1);
    expect(JSON.parse(hook?.raw ?? '{}')).toMatchObject({
      entry: [{ id: WABA, changes: [{ field: 'message_template_status_update', value: { event: 'PAUSED' } }] }],
    });
  });

  it('an AUTHENTICATION template needs its code in the OTP button as a url parameter', async () => {
    sim.addTemplate(WABA, {
      name: 'login_code',
      language: 'ru',
      status: 'APPROVED',
      category: 'AUTHENTICATION',
      components: [
        { type: 'BODY', text: '{{1}} — ваш код.' },
        { type: 'BUTTONS', buttons: [{ type: 'OTP', text: 'Копировать код' }] },
      ],
    });
    const body = { type: 'body', parameters: [{ type: 'text', text: '428913' }] };
    const otp = { type: 'button', sub_type: 'url', index: '0', parameters: [{ type: 'text', text: '428913' }] };
    expect(errorCode((await template('login_code', [body])).json)).toBe(132000);
    expect((await template('login_code', [body, otp])).status).toBe(200);
  });

  it('enforces the window: a free-form send is accepted, then fails with 131047; a template goes', async () => {
    sim.enforceWindow(true);
    const text = await send({ type: 'text', text: { body: 'Привет' } });
    expect(text.status).toBe(200);
    const [failed] = await hooks.waitFor(1);
    expect(JSON.parse(failed?.raw ?? '{}')).toMatchObject({
      entry: [{ changes: [{ value: { statuses: [{ status: 'failed', errors: [{ code: 131047 }] }] } }] }],
    });
    // The customer writes: free-form for 24 hours of the simulator's clock, then closed again.
    await sim.deliverInbound({
      phoneNumberId: PHONE_ID,
      from: CUSTOMER,
      message: { type: 'text', text: 'Здравствуйте' },
    });
    now += 23 * 3_600_000;
    expect((await send({ type: 'text', text: { body: 'Ответ' } })).status).toBe(200);
    now += 2 * 3_600_000;
    expect((await send({ type: 'text', text: { body: 'Поздно' } })).status).toBe(200);
    const image = { type: 'header', parameters: [{ type: 'image', image: { link: 'https://cdn.example/p.jpg' } }] };
    const body = { type: 'body', parameters: [{ type: 'text', text: 'A-17' }] };
    const suffix = { type: 'button', sub_type: 'url', index: '0', parameters: [{ type: 'text', text: 'A-17' }] };
    const allowed = await template('order_ready', [image, body, suffix]);
    expect(allowed.status).toBe(200);
    // One more free-form send marks the end: the template before it never failed.
    expect((await send({ type: 'text', text: { body: 'Ещё' } })).status).toBe(200);
    const received = await hooks.waitFor(4);
    const failures = received.filter((r) => r.raw.includes('131047'));
    expect(failures).toHaveLength(3);
    const templateId = (allowed.json.messages as Array<{ id: string }>)[0]?.id ?? '';
    expect(failures.some((r) => r.raw.includes(templateId))).toBe(false);
  });
});
