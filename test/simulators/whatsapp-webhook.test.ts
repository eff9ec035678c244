import { createHmac } from 'node:crypto';
import { type CloudApiSimulator, createCloudApiSimulator } from '../../simulators/whatsapp-cloud';
import { defined } from '../helpers/defined';
import { postJson, type Receiver, startReceiver } from './receiver';

const PHONE_ID = '200000000000002';

describe('whatsapp cloud simulator: webhooks', () => {
  let sim: CloudApiSimulator;
  let app: Receiver;
  beforeEach(async () => {
    sim = createCloudApiSimulator({ appSecret: 's3cret' });
    await sim.start(0);
    app = await startReceiver();
    sim.addPhoneNumber({
      phoneNumberId: PHONE_ID,
      accessToken: 'tok',
      displayPhoneNumber: '79001112233',
      wabaId: '100000000000001',
    });
    sim.setWebhook({ url: `${app.url}/wa/webhook` });
  });
  afterEach(async () => {
    await sim.stop();
    await app.stop();
  });

  it('signs the exact ASCII-escaped bytes of an inbound message with non-ASCII text', async () => {
    const res = await sim.deliverInbound({
      phoneNumberId: PHONE_ID,
      from: '79161234567',
      name: 'Иван',
      message: { type: 'text', text: 'Привет 👍' },
      contextId: 'wamid.CTX',
    });
    expect(res.status).toBe(200);
    const got = defined(app.received[0], 'webhook delivery');
    expect(got.raw).toBe(res.rawBody);
    expect(got.raw).toContain('\\u041f\\u0440\\u0438\\u0432\\u0435\\u0442 \\ud83d\\udc4d');
    expect(/[^\x20-\x7e]/.test(got.raw)).toBe(false);
    const expected = `sha256=${createHmac('sha256', 's3cret').update(Buffer.from(got.raw, 'utf8')).digest('hex')}`;
    expect(got.headers['x-hub-signature-256']).toBe(expected);
    expect(got.headers['content-type']).toBe('application/json');
    const payload = JSON.parse(got.raw) as {
      object: string;
      entry: Array<{ id: string; changes: Array<{ field: string; value: Record<string, unknown> }> }>;
    };
    expect(payload.object).toBe('whatsapp_business_account');
    const [entry] = payload.entry;
    expect(entry?.id).toBe('100000000000001');
    const value = defined(entry?.changes[0], 'entry[0].changes[0]').value;
    expect(value.metadata).toEqual({ display_phone_number: '79001112233', phone_number_id: PHONE_ID });
    expect(value.contacts).toEqual([
      { profile: { name: 'Иван' }, wa_id: '79161234567', user_id: expect.stringMatching(/^RU\./) },
    ]);
    const msg = defined((value.messages as Array<Record<string, unknown>>)[0], 'messages[0]');
    expect(msg).toEqual(
      expect.objectContaining({
        from: '79161234567',
        id: res.messageId,
        type: 'text',
        text: { body: 'Привет 👍' },
        context: { from: '79001112233', id: 'wamid.CTX' },
      }),
    );
    expect(msg.timestamp).toMatch(/^\d{10}$/);
    expect(res.messageId).toMatch(/^wamid\.HBgLNzkxNjEyMzQ1NjcVAgAS/);
  });

  it('builds button/list replies, can omit from, and can sign wrongly or not at all', async () => {
    await sim.deliverInbound({
      phoneNumberId: PHONE_ID,
      from: '79161234567',
      message: { type: 'button_reply', id: 'yes', title: 'Да' },
      omitFrom: true,
      signWith: 'wrong',
    });
    await sim.deliverInbound({
      phoneNumberId: PHONE_ID,
      from: '79161234567',
      message: { type: 'list_reply', id: 'r1', title: 'Row' },
      signature: null,
      id: 'wamid.SAME',
    });
    const [a, b] = app.received;
    if (!a || !b) throw new Error(`2 webhook deliveries expected, got ${app.received.length}`);
    const va = defined(
      (
        JSON.parse(a.raw) as {
          entry: Array<{ changes: Array<{ value: { messages: Array<Record<string, unknown>> } }> }>;
        }
      ).entry[0]?.changes[0]?.value.messages[0],
      'the button reply',
    );
    expect(va.from).toBeUndefined();
    expect(va.interactive).toEqual({ type: 'button_reply', button_reply: { id: 'yes', title: 'Да' } });
    expect(a.headers['x-hub-signature-256']).not.toBe(
      `sha256=${createHmac('sha256', 's3cret').update(a.raw).digest('hex')}`,
    );
    expect(b.headers['x-hub-signature-256']).toBeUndefined();
    expect(b.raw).toContain('"id":"wamid.SAME"');
  });

  it('delivers statuses (pricing once, failed with errors and no contacts) and async failures', async () => {
    await sim.deliverStatus({
      phoneNumberId: PHONE_ID,
      wamid: 'wamid.A',
      status: 'delivered',
      recipientId: '79161234567',
    });
    await sim.deliverStatus({ phoneNumberId: PHONE_ID, wamid: 'wamid.A', status: 'read', recipientId: '79161234567' });
    const values = app.received.map(
      (r) =>
        defined(
          (JSON.parse(r.raw) as { entry: Array<{ changes: Array<{ value: Record<string, unknown> }> }> }).entry[0]
            ?.changes[0],
          'entry[0].changes[0]',
        ).value,
    );
    const st = values.map((v) => defined((v.statuses as Array<Record<string, unknown>>)[0], 'statuses[0]'));
    expect(defined(st[0], 'delivered status').pricing).toBeDefined();
    expect(defined(st[1], 'read status').pricing).toBeUndefined();
    expect(defined(values[0], 'first delivery').contacts).toBeDefined();

    sim.failAsync({ to: '+79161234567', code: 131047 });
    const sent = await postJson(
      `${sim.url()}/v24.0/${PHONE_ID}/messages`,
      { messaging_product: 'whatsapp', to: '+79161234567', text: { body: 'late' } },
      { Authorization: 'Bearer tok' },
    );
    expect(sent.status).toBe(200);
    const failed = defined((await app.waitFor(3))[2], 'third webhook delivery');
    const fv = defined(
      (JSON.parse(failed.raw) as { entry: Array<{ changes: Array<{ value: Record<string, unknown> }> }> }).entry[0]
        ?.changes[0],
      'entry[0].changes[0]',
    ).value;
    expect(fv.contacts).toBeUndefined();
    const fs = defined((fv.statuses as Array<Record<string, unknown>>)[0], 'failed status');
    expect(fs).toEqual(
      expect.objectContaining({
        id: defined((sent.json.messages as Array<{ id: string }>)[0], 'sent message').id,
        status: 'failed',
        recipient_id: '79161234567',
      }),
    );
    expect(fs.errors).toEqual([
      expect.objectContaining({
        code: 131047,
        title: 'Re-engagement message',
        error_data: { details: expect.any(String) },
        href: expect.any(String),
      }),
    ]);
  });
});
