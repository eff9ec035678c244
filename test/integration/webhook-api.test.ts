import { sendTextRequest } from '../../app/api/api-schemas';
import { requestFingerprint } from '../../app/api/api-sends';
import { runTokensCommand } from '../../cli/tokens-command';
import { createHarness, eventually, type Harness, LINE } from '../helpers/harness';
import { apiToken, callApi } from '../helpers/webhook-api';

const CUSTOMER = '79161234567';

describe('webhook API for outside systems', () => {
  let h: Harness;
  let token: string;
  beforeAll(async () => {
    h = await createHarness();
    token = (await apiToken(h)).token;
  });
  afterAll(async () => h.close());

  const sentTo = (wamid: unknown) => eventually(() => h.whatsapp.sent().find((s) => s.wamid === wamid), 10_000, 'sent');

  it('sendText with wait=Y answers sent with the WhatsApp id; without it, queued and then sent', async () => {
    const waited = await callApi(h.appUrl, token, 'sendText', {
      phone_number: '+7 (916) 123-45-67',
      body: 'Hello from the API',
      wait: 'Y',
    });
    expect(waited.status).toBe(200);
    expect(waited.body).toMatchObject({ ok: true, result: { status: 'sent' } });
    const sent = await sentTo(waited.body.result?.wa_message_id);
    expect(sent.body).toMatchObject({ to: CUSTOMER, type: 'text', text: { body: 'Hello from the API' } });

    const queued = await callApi(
      h.appUrl,
      token,
      'sendText',
      { phone_number: CUSTOMER, body: 'JSON', preview_url: true },
      'json',
    );
    expect(queued.body).toMatchObject({ ok: true, result: { status: 'queued' } });
    const id = String(queued.body.result?.message_id);
    const status = await eventually(async () => {
      const answer = await callApi(h.appUrl, token, 'checkMessageStatus', { message_id: id });
      return answer.body.result?.status === 'sent' ? answer : undefined;
    });
    expect((await sentTo(status.body.result?.wa_message_id)).body).toMatchObject({
      text: { body: 'JSON', preview_url: true },
    });
  });

  it('sendFile (form) and sendTemplate (params as JSON and params[], header media) reach the provider', async () => {
    const file = await callApi(
      h.appUrl,
      token,
      'sendFile',
      {
        phone_number: CUSTOMER,
        body: 'https://example.com/price.pdf',
        caption: 'Prices',
        filename: 'prices.pdf',
        wait: 'Y',
      },
      'form',
    );
    expect(file.body).toMatchObject({ ok: true, result: { status: 'sent' } });
    expect((await sentTo(file.body.result?.wa_message_id)).body).toMatchObject({
      type: 'document',
      document: { link: 'https://example.com/price.pdf', filename: 'prices.pdf', caption: 'Prices' },
    });

    const template = await callApi(h.appUrl, token, 'sendTemplate', {
      phone_number: CUSTOMER,
      name: 'order_ready',
      language: 'ru',
      params: '["Иван", 42]',
      header_url: 'https://example.com/shop.jpg',
      wait: 'Y',
    });
    expect(template.body).toMatchObject({ ok: true, result: { status: 'sent' } });
    expect((await sentTo(template.body.result?.wa_message_id)).body).toMatchObject({
      type: 'template',
      template: {
        name: 'order_ready',
        language: { code: 'ru' },
        components: [
          { type: 'header', parameters: [{ type: 'image', image: { link: 'https://example.com/shop.jpg' } }] },
          {
            type: 'body',
            parameters: [
              { type: 'text', text: 'Иван' },
              { type: 'text', text: '42' },
            ],
          },
        ],
      },
    });
    const listed = await callApi(h.appUrl, token, 'sendTemplate', {
      phone_number: CUSTOMER,
      name: 'order_ready',
      language: 'ru',
      params: ['A', 'B'],
      wait: 'Y',
    });
    expect((await sentTo(listed.body.result?.wa_message_id)).body).toMatchObject({
      template: { components: [{ type: 'body', parameters: [{ text: 'A' }, { text: 'B' }] }] },
    });
  });

  it('a provider refusal with wait=Y is the mapped error, naming the message', async () => {
    h.whatsapp.failNext({ code: 131047 });
    const answer = await callApi(h.appUrl, token, 'sendText', { phone_number: CUSTOMER, body: 'late', wait: 'Y' });
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({
      ok: false,
      error: { code: 'window_closed', message: expect.stringContaining('template') },
    });
    const id = String(answer.body.error?.message_id);
    const status = await callApi(h.appUrl, token, 'checkMessageStatus', { message_id: id });
    expect(status.body.result).toMatchObject({ message_id: id, status: 'failed', error: { code: 'window_closed' } });
  });

  it('checkPhone normalises; the Cloud API cannot tell, so exists is unknown', async () => {
    const answer = await callApi(h.appUrl, token, 'checkPhone', { phone_number: '8 916 123 45 67' });
    expect(answer.body).toEqual({ ok: true, result: { exists: 'unknown', normalized: CUSTOMER } });
  });

  it("checkStatus reports the number's name, quality, limit and the line's last webhook", async () => {
    h.whatsapp.setPhoneHealth(LINE.phoneNumberId, { qualityRating: 'YELLOW', verifiedName: 'Магазин' });
    const before = await callApi(h.appUrl, token, 'checkStatus');
    expect(before.body.result?.last_webhook_at).toBeNull();
    const inbound = await h.whatsapp.deliverInbound({
      phoneNumberId: LINE.phoneNumberId,
      from: CUSTOMER,
      message: { type: 'text', text: 'hi' },
    });
    expect(inbound.status).toBe(200);
    const answer = await callApi(h.appUrl, token, 'checkStatus', {}, 'json');
    expect(answer.body).toMatchObject({
      ok: true,
      result: {
        line: { id: 'main', name: 'Main line' },
        provider: 'cloud',
        connected: true,
        state: 'CONNECTED',
        phone_number: '+7 900 111-22-33',
        name: 'Магазин',
        quality_rating: 'YELLOW',
        messaging_limit: 'TIER_2K',
      },
    });
    const lastWebhookAt = await eventually(async () => {
      const again = await callApi(h.appUrl, token, 'checkStatus');
      return again.body.result?.last_webhook_at ?? undefined;
    });
    expect(Date.parse(String(lastWebhookAt))).toBeGreaterThan(Date.now() - 60_000);
  });

  it('checkMessageStatus follows delivered, read and failed webhooks, by our id or the WhatsApp id', async () => {
    const send = async () =>
      (await callApi(h.appUrl, token, 'sendText', { phone_number: CUSTOMER, body: 'status?', wait: 'Y' })).body
        .result ?? {};
    const first = await send();
    const wamid = String(first.wa_message_id);
    const deliver = (
      id: string,
      status: 'delivered' | 'read' | 'failed',
      timestamp: number,
      errors?: Array<{ code: number }>,
    ) =>
      h.whatsapp.deliverStatus({
        phoneNumberId: LINE.phoneNumberId,
        wamid: id,
        status,
        recipientId: CUSTOMER,
        timestamp,
        errors,
      });
    const statusOf = (id: string, want: string) =>
      eventually(async () => {
        const answer = await callApi(h.appUrl, token, 'checkMessageStatus', { message_id: id });
        return answer.body.result?.status === want ? answer.body.result : undefined;
      });
    await deliver(wamid, 'delivered', 1763900800);
    expect(await statusOf(String(first.message_id), 'delivered')).toMatchObject({
      wa_message_id: wamid,
      delivered_at: '2025-11-23T12:26:40.000Z',
    });
    await deliver(wamid, 'read', 1763900900);
    expect(await statusOf(wamid, 'read')).toMatchObject({
      message_id: first.message_id,
      read_at: '2025-11-23T12:28:20.000Z',
    });

    const second = await send();
    await deliver(String(second.wa_message_id), 'failed', 1763901000, [{ code: 131026 }]);
    expect(await statusOf(String(second.message_id), 'failed')).toMatchObject({
      failed_at: '2025-11-23T12:30:00.000Z',
      error: { code: 'undeliverable', provider_code: '131026', message: expect.stringContaining('WhatsApp') },
    });
    const unknown = await callApi(h.appUrl, token, 'checkMessageStatus', { message_id: 'wamid.nope' });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error?.code).toBe('message_not_found');
  });

  it('a repeat of a request that never reached the queue (Redis failed mid-way) queues it, once', async () => {
    const before = h.whatsapp.sent().length;
    const [line] = await h.rt.lines.list(h.memberId);
    if (!line) throw new Error('no line');
    // What a request that stopped after its record and key, before its job, leaves behind.
    const stranded = { id: 'mstranded0001', memberId: h.memberId, lineId: line.id, method: 'sendText' as const };
    const params = { phone_number: CUSTOMER, body: 'late but once', idempotency_key: 'order-stranded', wait: 'Y' };
    const request = { method: 'sendText' as const, params: sendTextRequest.parse(params) };
    const idempotency = { key: 'order-stranded', fingerprint: requestFingerprint(request, CUSTOMER) };
    const first = await h.rt.apiMessages.create({ ...stranded, phone: CUSTOMER, createdAt: 0 }, idempotency);
    expect(first).toEqual({ id: stranded.id, created: true });
    const again = await callApi(h.appUrl, token, 'sendText', params);
    expect(again.body).toMatchObject({ ok: true, result: { message_id: stranded.id, status: 'sent' } });
    const twice = await callApi(h.appUrl, token, 'sendText', params);
    expect(twice.body).toEqual(again.body);
    expect(
      h.whatsapp
        .sent()
        .slice(before)
        .map((s) => s.body.text),
    ).toEqual([{ body: 'late but once', preview_url: false }]);
  });

  it('bad input is a 400 naming the field; unknown and revoked tokens get the same 401', async () => {
    const bad = await callApi(h.appUrl, token, 'sendText', { phone_number: '12', body: 'x' });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ ok: false, error: { code: 'bad_parameter', field: 'phone_number' } });
    const long = await callApi(h.appUrl, token, 'sendText', { phone_number: CUSTOMER, body: 'x'.repeat(4097) }, 'json');
    expect(long.body.error).toMatchObject({ field: 'body' });
    const local = await callApi(h.appUrl, token, 'sendFile', { phone_number: CUSTOMER, body: 'ftp://x/y' });
    expect(local.body.error).toMatchObject({ field: 'body' });

    const unknown = await callApi(h.appUrl, 'wa1_nosuchtoken_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', 'checkStatus');
    const { record, token: doomed } = await apiToken(h);
    expect((await callApi(h.appUrl, doomed, 'checkStatus')).status).toBe(200);
    expect(await runTokensCommand(h.rt, 'revoke', {}, [record.id])).toBe(`token ${record.id} revoked`);
    const revoked = await callApi(h.appUrl, doomed, 'checkStatus');
    expect([unknown.status, revoked.status]).toEqual([401, 401]);
    expect(revoked.body).toEqual(unknown.body);
    expect(revoked.body).toMatchObject({ ok: false, error: { code: 'invalid_token' } });
  });

  it('a token that is no valid percent-encoding gets an answer, and the process lives on', async () => {
    const res = await fetch(`${h.appUrl}/rest/webhook/wa/%ZZ/checkStatus`);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ ok: false });
    expect((await callApi(h.appUrl, token, 'checkStatus')).status).toBe(200);
  });

  it('the CLI creates (token on its own last line), lists and regenerates tokens', async () => {
    const out = await runTokensCommand(h.rt, 'create', { portal: h.memberId, line: 'main', name: 'site form' }, []);
    const created = out.split('\n').at(-1) ?? '';
    expect(created).toMatch(/^wa1_/);
    expect((await callApi(h.appUrl, created, 'checkPhone', { phone_number: CUSTOMER })).status).toBe(200);
    const listed = await runTokensCommand(h.rt, 'list', { portal: h.memberId }, []);
    const id =
      listed
        .split('\n')
        .find((row) => row.includes('site form'))
        ?.split('\t')[0] ?? '';
    expect(listed).toContain('5/3s, checkPhone 3/s');
    const renewed = (await runTokensCommand(h.rt, 'regenerate', {}, [id])).split('\n').at(-1) ?? '';
    expect((await callApi(h.appUrl, created, 'checkStatus')).status).toBe(401);
    expect((await callApi(h.appUrl, renewed, 'checkStatus')).status).toBe(200);
    expect(await h.redis.keys(`*${created.slice(-32)}*`)).toEqual([]);
  });

  it("answers people in the portal's language, with stable English codes; 413 keeps the API's shape", async () => {
    await h.rt.portals.update(h.memberId, { languageId: 'ru' });
    const bad = await callApi(h.appUrl, token, 'sendText', { phone_number: 'nope', body: 'x' });
    expect(bad.body.error).toMatchObject({
      code: 'bad_parameter',
      message: expect.stringMatching(/^Неверный параметр/),
    });
    const huge = await fetch(`${h.appUrl}/rest/webhook/wa/${token}/sendText`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ phone_number: CUSTOMER, body: 'x'.repeat(3_000_000) }),
    });
    expect(huge.status).toBe(413);
    expect(await huge.json()).toEqual({
      ok: false,
      error: { code: 'payload_too_large', message: 'Слишком большое тело запроса' },
    });
    await h.rt.portals.update(h.memberId, { languageId: 'en' });
  });
});
