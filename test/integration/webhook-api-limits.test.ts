import { spawnSync } from 'node:child_process';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { z } from 'zod';
import { apiMethodNames } from '../../app/api/api-schemas';
import { buildOpenApiDocument, methodPath } from '../../app/api/openapi';
import { createApp } from '../../app/create-app';
import { createLogger } from '../../lib/logger';
import { createRuntime } from '../../runtime/create-runtime';
import { deadRedis } from '../helpers/dead-redis';
import { connectGreenApiLine, GREEN, type GreenApiLine } from '../helpers/green-api';
import { createHarness, type Harness } from '../helpers/harness';
import { apiToken, callApi } from '../helpers/webhook-api';

/** What @seriousme/openapi-schema-validator says of a document (run in its own process: the package is ESM-only). */
function validateOpenApi(doc: unknown): { valid: boolean; version?: string } {
  const script = join(__dirname, '..', 'helpers', 'validate-openapi.mjs');
  const run = spawnSync(process.execPath, [script], { input: JSON.stringify(doc), encoding: 'utf8' });
  return JSON.parse(run.stdout);
}

/** Serves another web process' app (its own runtime and Redis connection) on a free port. */
async function listen(app: ReturnType<typeof createApp>): Promise<{ url: string; server: Server }> {
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const address = server.address();
  return { url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`, server };
}

describe('webhook API limits, providers and its OpenAPI document', () => {
  let h: Harness;
  let green: GreenApiLine;
  let second: { url: string; server: Server };
  beforeAll(async () => {
    h = await createHarness();
    green = await connectGreenApiLine(h, { numbersWithoutWhatsapp: ['79990000000'] });
    // A second web process: its own runtime and connection, the same Redis and key prefix.
    second = await listen(createApp(await h.startWorkerInstance()));
  });
  afterAll(async () => {
    second.server.closeAllConnections();
    second.server.close();
    await green.close();
    await h.close();
  });

  it('the 6th request in 3 s is a 429 with Retry-After, counted across two web processes', async () => {
    const { token } = await apiToken(h, {});
    const urls = [h.appUrl, second.url];
    const answers = [];
    for (let i = 0; i < 6; i += 1) answers.push(await callApi(urls[i % 2] ?? h.appUrl, token, 'checkStatus'));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200, 429]);
    const refused = answers[5];
    expect(refused?.body).toMatchObject({ ok: false, error: { code: 'rate_limited' } });
    expect(Number(refused?.retryAfter)).toBeGreaterThanOrEqual(1);
    expect(Number(refused?.retryAfter)).toBeLessThanOrEqual(3);
    // The 6th went to the second process, which counts it in its own metrics.
    const metrics = await (await fetch(`${second.url}/metrics`)).text();
    expect(metrics).toContain('wa_api_requests_total{method="checkStatus",code="rate_limited"} 1');
  });

  it('checkPhone has its own 3 per second; limits are per token', async () => {
    const { token } = await apiToken(h, { perWindow: 100 });
    const answers = [];
    for (let i = 0; i < 4; i += 1)
      answers.push(await callApi(h.appUrl, token, 'checkPhone', { phone_number: '79161234567' }));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 429]);
    expect(answers[3]?.retryAfter).toBe('1');
    // Other methods still pass, and so does another token.
    expect((await callApi(h.appUrl, token, 'checkStatus')).status).toBe(200);
    const other = (await apiToken(h, { perWindow: 100 })).token;
    expect((await callApi(h.appUrl, other, 'checkPhone', { phone_number: '79161234567' })).status).toBe(200);
  });

  it('Green-API lines: checkPhone asks checkWhatsapp, checkStatus getStateInstance', async () => {
    const { token } = await h.rt.apiTokens.create({
      memberId: h.memberId,
      lineId: GREEN.lineId,
      limits: { perWindow: 100, checkPhonePerSec: 100 },
      now: Date.now(),
    });
    const yes = await callApi(h.appUrl, token, 'checkPhone', { phone_number: '+7 916 123-45-67' });
    const no = await callApi(h.appUrl, token, 'checkPhone', { phone_number: '79990000000' });
    expect([yes.body.result, no.body.result]).toEqual([
      { exists: 'yes', normalized: '79161234567' },
      { exists: 'no', normalized: '79990000000' },
    ]);
    const status = await callApi(h.appUrl, token, 'checkStatus');
    expect(status.body.result).toMatchObject({ provider: 'green-api', connected: true, state: 'authorized' });
    green.sim.setState(GREEN.idInstance, 'notAuthorized');
    const loggedOut = await callApi(h.appUrl, token, 'checkStatus');
    expect(loggedOut.body.result).toMatchObject({ connected: false, state: 'notAuthorized' });
    const sent = await callApi(h.appUrl, token, 'sendText', { phone_number: '79161234567', body: 'hi', wait: 'Y' });
    expect(sent.body.result).toMatchObject({ status: 'sent' });
    expect(green.sim.sent().at(-1)).toMatchObject({ method: 'sendMessage', chatId: '79161234567@c.us' });
  });

  it('a dead Redis is a 503 in the API shape', async () => {
    const { token } = await apiToken(h);
    const dead = await deadRedis();
    const rt = createRuntime({ config: h.rt.config, redis: dead, log: createLogger('silent'), keyPrefix: 'dead' });
    const app = await listen(createApp(rt));
    try {
      const answer = await callApi(app.url, token, 'checkStatus');
      expect(answer.status).toBe(503);
      expect(answer.body).toEqual({ ok: false, error: { code: 'unavailable', message: expect.any(String) } });
    } finally {
      app.server.closeAllConnections();
      app.server.close();
      await rt.close().catch(() => undefined);
      dead.disconnect();
    }
  });

  it('GET /rest/openapi.json is valid OpenAPI 3.1 and names exactly the routes that answer', async () => {
    const response = await fetch(`${h.appUrl}/rest/openapi.json`);
    const doc = z
      .object({ openapi: z.string(), paths: z.record(z.string(), z.unknown()), components: z.unknown() })
      .loose()
      .parse(await response.json());
    expect(doc.openapi).toBe('3.1.0');
    expect(validateOpenApi(doc)).toMatchObject({ valid: true, version: '3.1' });
    // The validator does refuse a broken document.
    expect(validateOpenApi({ ...doc, paths: { '/x': { get: { responses: 'none' } } } }).valid).toBe(false);
    const apiPaths = Object.keys(doc.paths).filter((p) => p.startsWith('/rest/webhook/'));
    expect(apiPaths.sort()).toEqual(apiMethodNames.map(methodPath).sort());
    // Every documented path answers as a method (never `unknown_method`); anything else does not.
    const { token } = await apiToken(h);
    for (const path of apiPaths) {
      const method = path.split('/').at(-1) ?? '';
      const answer = await callApi(h.appUrl, token, method, {});
      expect(answer.body.error?.code).not.toBe('unknown_method');
    }
    const undocumented = await callApi(h.appUrl, token, 'sendSticker');
    expect([undocumented.status, undocumented.body.error?.code]).toEqual([404, 'unknown_method']);
  });

  it('the OpenAPI document describes the signed outbound events a subscribed URL receives', async () => {
    const doc = buildOpenApiDocument();
    for (const [name, type] of [
      ['MessageReceivedEvent', 'message.received'],
      ['MessageStatusEvent', 'message.status'],
      ['WaitEndedEvent', 'wait.ended'],
    ] as const) {
      expect(doc.components.schemas[name]).toMatchObject({ type: 'object', properties: { type: { const: type } } });
    }
    expect(validateOpenApi(doc)).toMatchObject({ valid: true });
  });

  it('the OpenAPI document takes extra named component schemas', async () => {
    const event = z.object({ id: z.string(), type: z.literal('message.status') });
    const doc = buildOpenApiDocument({ extraSchemas: { MessageStatusEvent: event } });
    expect(doc.components.schemas.MessageStatusEvent).toMatchObject({ type: 'object', required: ['id', 'type'] });
    expect(validateOpenApi(doc)).toMatchObject({ valid: true });
  });
});
