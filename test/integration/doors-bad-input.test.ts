import { Queue } from 'bullmq';
import { endpoints } from '../../config/endpoints';
import { badInputCases } from '../helpers/bad-inputs';
import { defined } from '../helpers/defined';
import { APP_SECRET, createHarness, type Harness, LINE } from '../helpers/harness';
import { postRaw, signBytes } from '../helpers/raw-http';
import { inboundEvents } from '../helpers/signals';

/** Jobs in every queue, by queue, in every state: a refused request must change none of them. */
async function queueCounts(h: Harness): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const queue of Object.values(h.rt.queues)) {
    if (!(queue instanceof Queue)) continue;
    const byState = await queue.getJobCounts();
    counts[queue.name] = Object.values(byState).reduce((sum, n) => sum + n, 0);
  }
  return counts;
}

const cases = badInputCases({ appSecret: APP_SECRET, memberId: 'member-under-test', greenLineId: 'green' });

describe('doors answer malformed input with a clear 4xx and queue nothing', () => {
  let h: Harness;
  beforeAll(async () => {
    // No workers: whatever a door queued stays visible in the counts.
    h = await createHarness({ startWorkers: false });
  });
  afterAll(async () => {
    await h.close();
  });

  it('the table covers every door with at least 40 cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(40);
    expect(new Set(cases.map((c) => c.door))).toEqual(new Set(['robot', 'install', 'events', 'whatsapp', 'green-api']));
  });

  it.each(cases.map((c) => [c.door, c.name, c] as const))('%s: %s', async (_door, _name, c) => {
    const before = await queueCounts(h);
    const response = await postRaw(`${h.appUrl}${c.path}`, c);
    const body: unknown = JSON.parse(response.text);
    expect({ status: response.status, body }).toEqual({
      status: c.status,
      body: { error: c.error, error_description: expect.any(String) },
    });
    expect(response.contentType).toMatch(/^application\/json/);
    // Fixed words: no stack, no parser message (a JSON SyntaxError quotes the body), no token.
    expect(response.text).not.toMatch(/\bat |Error|position|node_modules|SECRET/);
    expect(await queueCounts(h)).toEqual(before);
    const health = await fetch(`${h.appUrl}${endpoints.health}`);
    expect(health.status).toBe(200);
  });
});

describe('prototype-named keys are dropped before validation', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness({ startWorkers: false });
  });
  afterAll(async () => {
    await h.close();
  });

  const robotCall = (eventToken: string) => ({
    workflow_id: 'wf-1',
    code: 'wa_send_text',
    document_id: ['crm', 'CCrmDocumentDeal', 'DEAL_1'],
    event_token: eventToken,
    auth: { member_id: h.memberId, application_token: h.portal.currentTokens().applicationToken },
  });
  const queuedCall = async (eventToken: string) => {
    const jobs = await h.rt.queues.runAction.getJobs(['waiting', 'prioritized', 'delayed']);
    return defined(
      jobs.find((j) => j.data.source === 'bitrix' && j.data.eventToken === eventToken),
      'queued robot call',
    ).data;
  };

  it('a robot form with __proto__ / constructor / prototype keys is queued without them', async () => {
    const call = robotCall('evt-proto-form');
    const form = new URLSearchParams({
      workflow_id: call.workflow_id,
      code: call.code,
      'document_id[0]': 'crm',
      'document_id[1]': 'CCrmDocumentDeal',
      'document_id[2]': 'DEAL_1',
      event_token: call.event_token,
      'auth[member_id]': call.auth.member_id,
      'auth[application_token]': call.auth.application_token,
      'properties[text]': 'hi',
      'properties[constructor][prototype][polluted]': '1',
      'properties[__proto__][polluted]': '1',
      'properties[toString]': 'x',
      'constructor[prototype][polluted]': '1',
      '__proto__[polluted]': '1',
      hasOwnProperty: '1',
    });
    const response = await postRaw(`${h.appUrl}${endpoints.robot}`, {
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form.toString(),
    });
    expect(response.status).toBe(200);
    const job = await queuedCall(call.event_token);
    expect(job.properties).toEqual({ text: 'hi' });
    expect(Object.keys(job)).not.toEqual(expect.arrayContaining(['constructor']));
    expect(Reflect.get({}, 'polluted')).toBeUndefined();
  });

  it('a robot call in JSON with the same keys is queued without them', async () => {
    const call = robotCall('evt-proto-json');
    const json = JSON.stringify({
      ...call,
      properties: { text: 'hi', constructor: { prototype: { polluted: '1' } } },
    }).replace(/^\{/, '{"__proto__":{"polluted":"1"},"constructor":{"prototype":{"polluted":"1"}},');
    const response = await postRaw(`${h.appUrl}${endpoints.robot}`, {
      headers: { 'content-type': 'application/json' },
      body: json,
    });
    expect(response.status).toBe(200);
    expect((await queuedCall(call.event_token)).properties).toEqual({ text: 'hi' });
    expect(Reflect.get({}, 'polluted')).toBeUndefined();
  });

  it('an own toString on the event field does not break the events door (it was a 500)', async () => {
    const { applicationToken } = h.portal.currentTokens();
    const response = await postRaw(`${h.appUrl}${endpoints.events}`, {
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `event[toString]=1&auth[member_id]=${h.memberId}&auth[application_token]=${applicationToken}`,
    });
    expect({ status: response.status, body: JSON.parse(response.text) }).toEqual({
      status: 200,
      body: { result: 'ignored' },
    });
  });

  it('a signed webhook message with such keys is queued without them', async () => {
    const message = { id: 'wamid.proto-1', from: '79161234567', timestamp: '1', type: 'text', text: { body: 'x' } };
    const body = JSON.stringify({
      object: 'whatsapp_business_account',
      entry: [
        {
          id: 'waba',
          changes: [
            {
              field: 'messages',
              value: {
                metadata: { phone_number_id: LINE.phoneNumberId },
                messages: [{ ...message, constructor: 'x' }],
              },
            },
          ],
        },
      ],
    }).replace('"text":{"body":"x"}', '"text":{"body":"x","__proto__":{"polluted":"1"},"toString":"y"}');
    const response = await postRaw(`${h.appUrl}${endpoints.whatsappWebhook}`, {
      headers: { 'content-type': 'application/json', 'x-hub-signature-256': signBytes(APP_SECRET, body) },
      body,
    });
    expect(response.status).toBe(200);
    const events = await inboundEvents(h, ['waiting', 'prioritized', 'delayed']);
    const queued = defined(
      events.find(({ event }) => event.event.id === message.id),
      'queued webhook message',
    );
    expect(queued.event.event).toEqual(message);
    expect(Reflect.get({}, 'polluted')).toBeUndefined();
  });
});
