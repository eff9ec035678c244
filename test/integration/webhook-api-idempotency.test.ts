import { z } from 'zod';
import { buildOpenApiDocument, methodPath } from '../../app/api/openapi';
import { createHarness, eventually, type Harness } from '../helpers/harness';
import { apiToken, callApi } from '../helpers/webhook-api';

const CUSTOMER = '79161234567';

describe('webhook API: idempotency keys', () => {
  let h: Harness;
  let token: string;
  beforeAll(async () => {
    h = await createHarness();
    token = (await apiToken(h)).token;
  });
  afterAll(async () => h.close());

  const textsSentSince = (before: number) =>
    h.whatsapp
      .sent()
      .slice(before)
      .map((s) => s.body.text);

  it('the same request again replays the first answer and sends once, however it is spelled', async () => {
    const before = h.whatsapp.sent().length;
    const params = { phone_number: CUSTOMER, body: 'once', idempotency_key: 'order-77', wait: 'Y' };
    const first = await callApi(h.appUrl, token, 'sendText', params);
    expect(first.body).toMatchObject({ ok: true, result: { status: 'sent' } });
    // The same number another way, JSON with a boolean, no wait: one request.
    const respelled = { ...params, phone_number: '8 (916) 123-45-67', preview_url: false, wait: 'N' };
    const again = await callApi(h.appUrl, token, 'sendText', respelled, 'json');
    expect(again.body).toEqual(first.body);
    expect(textsSentSince(before)).toEqual([{ body: 'once', preview_url: false }]);
  });

  it('the key used again for a different request is a 422 naming the first, which stays as it was', async () => {
    const before = h.whatsapp.sent().length;
    const params = { phone_number: CUSTOMER, body: 'first', idempotency_key: 'order-78', wait: 'Y' };
    const first = await callApi(h.appUrl, token, 'sendText', params);
    const firstId = String(first.body.result?.message_id);
    expect(first.body).toMatchObject({ ok: true, result: { status: 'sent' } });

    const changed = await callApi(h.appUrl, token, 'sendText', { ...params, body: 'changed' }, 'json');
    expect(changed.status).toBe(422);
    expect(changed.body).toEqual({
      ok: false,
      error: {
        code: 'idempotency_key_reused',
        message: `This idempotency_key was used for another request, which stands: use a new key: idempotency_key "order-78" was first used for ${firstId}`,
        message_id: firstId,
      },
    });
    const otherNumber = await callApi(h.appUrl, token, 'sendText', { ...params, phone_number: '79161234568' });
    const otherMethod = await callApi(h.appUrl, token, 'sendFile', { ...params, body: 'https://example.com/a.pdf' });
    expect([otherNumber.status, otherMethod.status]).toEqual([422, 422]);
    expect(otherMethod.body.error).toMatchObject({ code: 'idempotency_key_reused', message_id: firstId });

    // The first request is untouched: its status, and the key still replays it.
    const status = await callApi(h.appUrl, token, 'checkMessageStatus', { message_id: firstId });
    expect(status.body.result).toMatchObject({ message_id: firstId, status: 'sent' });
    expect((await callApi(h.appUrl, token, 'sendText', params)).body).toEqual(first.body);
    expect(textsSentSince(before)).toEqual([{ body: 'first', preview_url: false }]);
  });

  it("two different requests racing for one key: one is sent, the other is refused; the portal's words", async () => {
    await h.rt.portals.update(h.memberId, { languageId: 'ru' });
    const before = h.whatsapp.sent().length;
    const ask = (body: string) =>
      callApi(h.appUrl, token, 'sendText', { phone_number: CUSTOMER, body, idempotency_key: 'order-79' }, 'json');
    const answers = await Promise.all(['left', 'right', 'left', 'right'].map(ask));
    const taken = answers.filter((a) => a.status === 200);
    const refused = answers.filter((a) => a.status === 422);
    // Both of the winning body's requests are one send; both of the other's are refused.
    expect([taken.length, refused.length]).toEqual([2, 2]);
    const winner = String(taken[0]?.body.result?.message_id);
    expect(taken.map((a) => a.body.result?.message_id)).toEqual([winner, winner]);
    for (const a of refused) {
      expect(a.body.error).toMatchObject({ code: 'idempotency_key_reused', message_id: winner });
      expect(a.body.error?.message).toMatch(/^Этот idempotency_key уже использован/);
    }
    await eventually(() => h.whatsapp.sent().length > before || undefined, 10_000, 'sent');
    const won = answers.findIndex((a) => a.status === 200) % 2 === 0 ? 'left' : 'right';
    expect(textsSentSince(before)).toEqual([{ body: won, preview_url: false }]);
  });

  it('the Idempotency-Key header stands for the parameter; both given, they must agree', async () => {
    const before = h.whatsapp.sent().length;
    const post = (body: Record<string, string>, key: string) =>
      fetch(`${h.appUrl}/rest/webhook/wa/${token}/sendText`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'Idempotency-Key': key },
        body: JSON.stringify(body),
      }).then(async (r) => ({ status: r.status, body: await r.json() }));
    const params = { phone_number: CUSTOMER, body: 'by header', wait: 'Y' };
    const first = await post(params, 'order-80');
    expect(first).toMatchObject({ status: 200, body: { ok: true, result: { status: 'sent' } } });
    // The header and the parameter are one key.
    const asParameter = await callApi(h.appUrl, token, 'sendText', { ...params, idempotency_key: 'order-80' });
    expect(asParameter.body).toEqual(first.body);
    const changed = await post({ ...params, body: 'other' }, 'order-80');
    expect(changed).toMatchObject({ status: 422, body: { error: { code: 'idempotency_key_reused' } } });
    const disagree = await post({ ...params, idempotency_key: 'order-81' }, 'order-80');
    expect(disagree).toMatchObject({
      status: 400,
      body: { error: { code: 'bad_parameter', field: 'idempotency_key' } },
    });
    expect(textsSentSince(before)).toEqual([{ body: 'by header', preview_url: false }]);
  });

  it('the OpenAPI document names the 422 on the send methods only', () => {
    const doc = buildOpenApiDocument();
    const paths = z.record(
      z.string(),
      z.object({ post: z.object({ responses: z.record(z.string(), z.unknown()) }).optional() }),
    );
    const responsesOf = (method: string) =>
      Object.keys(paths.parse(doc.paths)[methodPath(method)]?.post?.responses ?? {});
    expect(responsesOf('sendText')).toContain('422');
    expect(responsesOf('sendTemplate')).toContain('422');
    expect(responsesOf('checkStatus')).not.toContain('422');
    expect(JSON.stringify(Reflect.get(doc.paths, methodPath('sendFile')))).toContain('"name":"Idempotency-Key"');
  });
});
