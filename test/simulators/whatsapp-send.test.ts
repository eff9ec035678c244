import { type CloudApiSimulator, createCloudApiSimulator } from '../../simulators/whatsapp-cloud';
import { defined } from '../helpers/defined';
import { pollUntil } from '../helpers/poll';
import { postJson } from './receiver';

const TOKEN = 'EAAG-test-token';
const PHONE_ID = '200000000000002';
const PHONE_ID_2 = '200000000000003';

function button(id: string, title: string) {
  return { type: 'reply', reply: { id, title } };
}

describe('whatsapp cloud simulator: send endpoint', () => {
  let sim: CloudApiSimulator;
  let send: (body: unknown, token?: string, phoneId?: string) => ReturnType<typeof postJson>;
  beforeEach(async () => {
    sim = createCloudApiSimulator({ appSecret: 's3cret', throughputPerSec: 5 });
    const { url } = await sim.start(0);
    sim.addPhoneNumber({ phoneNumberId: PHONE_ID, accessToken: TOKEN, displayPhoneNumber: '+7 900 111-22-33' });
    send = (body, token = TOKEN, phoneId = PHONE_ID) =>
      postJson(`${url}/v25.0/${phoneId}/messages`, body, { Authorization: `Bearer ${token}` });
  });
  afterEach(() => sim.stop());

  it('accepts a text message and answers with a wamid for the recipient', async () => {
    const r = await send({
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: '+79161234567',
      type: 'text',
      text: { body: 'Привет' },
    });
    expect(r.status).toBe(200);
    const wamid = defined((r.json.messages as Array<{ id: string }>)[0], 'messages[0]').id;
    expect(r.json.contacts).toEqual([{ input: '+79161234567', wa_id: '79161234567' }]);
    expect(wamid).toMatch(/^wamid\.HBgLNzkxNjEyMzQ1NjcVAgAR/);
    const bytes = Buffer.from(wamid.slice(6), 'base64');
    expect(bytes.subarray(3, 14).toString('ascii')).toBe('79161234567');
    expect(sim.sent()).toHaveLength(1);
    expect(sim.sent()[0]?.body.text).toEqual({ body: 'Привет' });
    const read = await send({ messaging_product: 'whatsapp', status: 'read', message_id: wamid });
    expect(read.json).toEqual({ success: true });
  });

  it('rejects bad tokens (190) and unknown phone number ids (100)', async () => {
    const bad = await send({ messaging_product: 'whatsapp', to: '79161234567', text: { body: 'x' } }, 'wrong');
    expect(bad.status).toBe(401);
    expect(bad.json.error).toEqual(
      expect.objectContaining({ code: 190, type: 'OAuthException', fbtrace_id: expect.any(String) }),
    );
    const unknown = await send({ messaging_product: 'whatsapp', to: '79161234567', text: { body: 'x' } }, TOKEN, '999');
    expect(unknown.status).toBe(400);
    expect((unknown.json.error as { code: number; message: string }).message).toContain(
      "Object with ID '999' does not exist",
    );
  });

  it('enforces interactive limits with (#100) Invalid parameter', async () => {
    const base = { messaging_product: 'whatsapp', to: '79161234567', type: 'interactive' };
    const bad: unknown[] = [
      {
        type: 'button',
        body: { text: 'b' },
        action: { buttons: [button('1', 'a'), button('2', 'b'), button('3', 'c'), button('4', 'd')] },
      },
      { type: 'button', body: { text: 'b' }, action: { buttons: [button('1', 'x'.repeat(21))] } },
      { type: 'button', body: { text: 'b' }, action: { buttons: [button('1', 'a'), button('1', 'b')] } },
      { type: 'button', body: { text: 'b'.repeat(1025) }, action: { buttons: [button('1', 'a')] } },
      {
        type: 'button',
        header: { type: 'text', text: 'h'.repeat(61) },
        body: { text: 'b' },
        action: { buttons: [button('1', 'a')] },
      },
      {
        type: 'list',
        body: { text: 'b' },
        action: { button: 'x'.repeat(21), sections: [{ title: 's', rows: [{ id: 'r', title: 't' }] }] },
      },
      {
        type: 'list',
        body: { text: 'b' },
        action: {
          button: 'Go',
          sections: [{ title: 's', rows: Array.from({ length: 11 }, (_, i) => ({ id: `r${i}`, title: `t${i}` })) }],
        },
      },
      {
        type: 'list',
        body: { text: 'b' },
        action: {
          button: 'Go',
          sections: [{ title: 's', rows: [{ id: 'r', title: 't', description: 'd'.repeat(73) }] }],
        },
      },
    ];
    for (const interactive of bad) {
      const r = await send({ ...base, interactive });
      expect(r.status).toBe(400);
      const err = r.json.error as {
        code: number;
        message: string;
        error_data: { messaging_product: string; details: string };
      };
      expect([err.code, err.message, err.error_data.messaging_product]).toEqual([
        100,
        '(#100) Invalid parameter',
        'whatsapp',
      ]);
      expect(err.error_data.details.length).toBeGreaterThan(5);
    }
    const ok = await send({
      ...base,
      interactive: {
        type: 'button',
        header: { type: 'text', text: 'Запись' },
        body: { text: 'Перенести?' },
        footer: { text: 'f' },
        action: { buttons: [button('yes', 'Да'), button('no', 'Нет')] },
      },
    });
    expect(ok.status).toBe(200);
    expect(sim.stats()).toEqual({ accepted: 1, throttled: 0, rejected: bad.length });
  });

  it('validates other message types', async () => {
    const cases: unknown[] = [
      { messaging_product: 'sms', to: '79161234567', text: { body: 'x' } },
      { messaging_product: 'whatsapp', to: 'abc', text: { body: 'x' } },
      { messaging_product: 'whatsapp', to: '79161234567', type: 'image', image: {} },
      { messaging_product: 'whatsapp', to: '79161234567', type: 'image', image: { link: 'ftp://x/y.png' } },
      { messaging_product: 'whatsapp', to: '79161234567', type: 'location', location: { latitude: 91, longitude: 0 } },
      { messaging_product: 'whatsapp', to: '79161234567', type: 'template', template: { name: 'hello' } },
      { messaging_product: 'whatsapp', to: '79161234567', type: 'reaction', reaction: { emoji: '👍' } },
      { messaging_product: 'whatsapp', to: '79161234567', type: 'text', text: { body: 'x'.repeat(4097) } },
      { messaging_product: 'whatsapp', to: '79161234567', type: 'poll' },
    ];
    for (const body of cases) expect((await send(body)).json.error).toEqual(expect.objectContaining({ code: 100 }));
  });

  it('throttles over the per-number throughput with 130429 and injects failures', async () => {
    const msg = { messaging_product: 'whatsapp', to: '79161234567', text: { body: 'x' } };
    const statuses = await Promise.all(Array.from({ length: 7 }, () => send(msg)));
    const throttled = statuses.filter((s) => s.status === 429);
    expect(throttled).toHaveLength(2);
    expect(throttled[0]?.json.error).toEqual(
      expect.objectContaining({ code: 130429, message: '(#130429) Rate limit hit' }),
    );
    expect(sim.stats().throttled).toBe(2);
    // Injected failures, on a second number of the same account: its throughput window is its own,
    // so the closing accepted send needs no wait for the first number's window to clear.
    sim.addPhoneNumber({ phoneNumberId: PHONE_ID_2, accessToken: TOKEN, displayPhoneNumber: '+7 900 111-22-44' });
    sim.failNext({ code: 131047, times: 2 });
    const f1 = await send(msg, TOKEN, PHONE_ID_2);
    expect([f1.status, (f1.json.error as { message: string }).message]).toEqual([
      400,
      '(#131047) Re-engagement message',
    ]);
    expect((await send(msg, TOKEN, PHONE_ID_2)).status).toBe(400);
    sim.failNext({ code: 131000 });
    expect((await send(msg, TOKEN, PHONE_ID_2)).status).toBe(500);
    expect((await send(msg, TOKEN, PHONE_ID_2)).status).toBe(200);
    expect(
      sim
        .attempts()
        .map((a) => a.errorCode)
        .slice(-4),
    ).toEqual([131047, 131047, 131000, undefined]);
    // Time is the subject here, so this waits for real: the window is one second wide, and the first
    // number takes a send again once its oldest accepted send is a second old — not before.
    const oldest = Math.min(
      ...sim
        .sent()
        .filter((m) => m.phoneNumberId === PHONE_ID)
        .map((m) => m.receivedAt),
    );
    await pollUntil(async () => (await send(msg)).status === 200, 3_000, 'the first number takes a send again', 25);
    const reopenedAt = Math.max(
      ...sim
        .sent()
        .filter((m) => m.phoneNumberId === PHONE_ID)
        .map((m) => m.receivedAt),
    );
    expect(reopenedAt - oldest).toBeGreaterThanOrEqual(1000);
  });
});
