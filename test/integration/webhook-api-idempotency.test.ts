import { z } from 'zod';
import { buildOpenApiDocument, methodPath } from '../../app/api/openapi';
import { digest } from '../../lib/hash';
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
      expect(a.body.error?.message).toMatch(
        /^Этот idempotency_key уже использован для другого запроса, который остаётся в силе: нужен новый ключ: /,
      );
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

  /** A line's first request as an earlier release left it: its record, queued (a job never got that far). */
  const storeEarlierRequest = async (id: string) => {
    const [line] = await h.rt.lines.list(h.memberId);
    if (!line) throw new Error('no line');
    const record = {
      id,
      memberId: h.memberId,
      lineId: line.id,
      method: 'sendText' as const,
      phone: CUSTOMER,
      createdAt: 0,
    };
    return { line, record };
  };

  it("a key stored by an earlier release replays: the fingerprint is the client's request, not the action call", async () => {
    const before = h.whatsapp.sent().length;
    const { record } = await storeEarlierRequest('mpinned00001');
    // What is hashed, written out: a release that changes the action's properties (names, defaults)
    // must leave it alone, else every key stored before it answers its own retry with a 422.
    const publicFields = [
      ['body', 'kept across releases'],
      ['phone_number', CUSTOMER],
      ['preview_url', true],
    ];
    const fingerprint = digest(JSON.stringify(['v1', 'sendText', publicFields]));
    expect(await h.rt.apiMessages.create(record, { key: 'order-pinned', fingerprint })).toEqual({
      id: record.id,
      created: true,
    });
    const params = {
      phone_number: '+7 916 123-45-67',
      body: 'kept across releases',
      preview_url: 'Y',
      send_to_imol: 'N',
    };
    const again = await callApi(h.appUrl, token, 'sendText', { ...params, idempotency_key: 'order-pinned', wait: 'Y' });
    expect(again.body).toMatchObject({ ok: true, result: { message_id: record.id, status: 'sent' } });
    expect(textsSentSince(before)).toEqual([{ body: 'kept across releases', preview_url: true }]);
  });

  it('a key written before fingerprints (the id alone) replays its request; one whose record is gone is taken over', async () => {
    const before = h.whatsapp.sent().length;
    const { line, record } = await storeEarlierRequest('mlegacy00001');
    // As the release before fingerprints wrote them: the record, and the key holding its id (SET EX).
    await h.rt.apiMessages.create(record);
    const keyOf = (key: string) => h.rt.keys.apiIdempotency(h.memberId, line.id, digest(key));
    await h.redis.set(keyOf('order-legacy'), record.id, 'EX', 3600);
    const params = { phone_number: CUSTOMER, body: 'legacy once', idempotency_key: 'order-legacy', wait: 'Y' };
    const replayed = await callApi(h.appUrl, token, 'sendText', params);
    expect(replayed.body).toMatchObject({ ok: true, result: { message_id: record.id, status: 'sent' } });
    expect((await callApi(h.appUrl, token, 'sendText', params)).body).toEqual(replayed.body);
    // A legacy key whose record is gone: a new request takes it over (and holds it from then on).
    await h.redis.set(keyOf('order-orphan'), 'mlegacygone1', 'EX', 3600);
    const orphan = { ...params, body: 'taken over', idempotency_key: 'order-orphan' };
    const taken = await callApi(h.appUrl, token, 'sendText', orphan);
    expect(taken.body).toMatchObject({ ok: true, result: { status: 'sent' } });
    expect(taken.body.result?.message_id).not.toBe('mlegacygone1');
    expect((await callApi(h.appUrl, token, 'sendText', orphan)).body).toEqual(taken.body);
    expect(textsSentSince(before)).toEqual([
      { body: 'legacy once', preview_url: false },
      { body: 'taken over', preview_url: false },
    ]);
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
