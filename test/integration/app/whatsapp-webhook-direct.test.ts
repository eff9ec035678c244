import { connect } from 'node:net';
import { gzipSync } from 'node:zlib';
import { createWhatsAppWebhookDirect } from '../../../app/doors/whatsapp-webhook-direct';
import { WEBHOOK_BODY_LIMIT } from '../../../app/doors/whatsapp-webhook-door';
import { endpoints } from '../../../config/endpoints';
import { contact, envelope, JSON_TYPE, reply, signed, text } from '../../helpers/cloud-webhooks';
import { APP_SECRET, createHarness, type Harness, VERIFY_TOKEN } from '../../helpers/harness';
import { postRaw, type RawPost, signBytes } from '../../helpers/raw-http';
import {
  cutUploadLines,
  type DirectPathOf,
  deadRedisAnswers,
  postBothWays,
  type Served,
  serve,
} from '../../helpers/robot-door-served';
import { inboundEvents } from '../../helpers/signals';

const PATH: string = endpoints.whatsappWebhook;
/** The webhook door's direct path in front of Express (robot calls, had there been any, straight to Express). */
const webhookDirect: DirectPathOf = (deps, express) => createWhatsAppWebhookDirect(deps, express, express);

describe('WhatsApp webhook direct path: the same answers, jobs and log lines as the Express door', () => {
  let h: Harness;
  let direct: Served;
  let viaExpress: Served;

  beforeAll(async () => {
    h = await createHarness({ startWorkers: false });
    direct = await serve(h.rt, true, webhookDirect);
    viaExpress = await serve(h.rt, false);
  });
  afterAll(async () => {
    direct.server.close();
    viaExpress.server.close();
    await h.close();
  });

  /** The queued events of one path's deliveries (ids carry `id`), with that path's suffix taken out; each with its job's name and options. */
  const jobsOf = async (id: string, suffix: string) => {
    const events = await inboundEvents(h, ['waiting']);
    return events
      .filter(({ event }) => JSON.stringify(event).includes(`${id}-${suffix}`))
      .map(({ job, event }) => ({
        name: job.name,
        data: JSON.parse(JSON.stringify({ ...event, receivedAt: undefined }).replaceAll(`${id}-${suffix}`, 'ID')),
        opts: { ...job.opts, jobId: undefined, timestamp: undefined },
      }))
      .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
  };

  /** Posts `post(id-d)` to the direct path and `post(id-e)` to Express alone; what each answered and logged. */
  const both = (id: string, post: (id: string) => RawPost, path = PATH) =>
    postBothWays(direct, viaExpress, path, (suffix) => post(`${id}-${suffix}`));

  type Case = [name: string, post: (id: string) => RawPost, status: number, servedDirectly: boolean];
  const cases: Case[] = [
    ['a text message', (id) => signed(envelope({ contacts: [contact], messages: [text(id)] })), 200, true],
    ['a button reply', (id) => signed(envelope({ contacts: [contact], messages: [reply(id)] })), 200, true],
    [
      'three messages in one POST',
      (id) => signed(envelope({ contacts: [contact], messages: [text(`${id}a`), reply(`${id}b`), text(`${id}c`)] })),
      200,
      true,
    ],
    [
      'statuses',
      (id) =>
        signed(envelope({ statuses: [{ id, status: 'delivered', timestamp: '1760000000', recipient_id: '7916' }] })),
      200,
      true,
    ],
    ['an unknown number', (id) => signed(envelope({ messages: [text(id)] }, '999999')), 200, true],
    [
      'prototype-named keys',
      (id) => signed(envelope({ messages: [{ ...text(id), constructor: 1 }] }).replace('{', '{"__proto__":{"x":1},')),
      200,
      true,
    ],
    [
      'declared charset=utf-8',
      (id) => signed(envelope({ messages: [text(id)] }), { 'content-type': `${JSON_TYPE}; charset=utf-8` }),
      200,
      true,
    ],
    [
      'declared charset=UTF-8',
      (id) => signed(envelope({ messages: [text(id)] }), { 'content-type': `${JSON_TYPE}; charset=UTF-8` }),
      200,
      true,
    ],
    [
      'the signature in upper-case hex',
      (id) => {
        const post = signed(envelope({ messages: [text(id)] }));
        const hex = String(post.headers?.['x-hub-signature-256']).slice('sha256='.length);
        return { ...post, headers: { ...post.headers, 'x-hub-signature-256': `sha256=${hex.toUpperCase()}` } };
      },
      200,
      true,
    ],
    [
      'a bad signature',
      (id) => ({
        ...signed(envelope({ messages: [text(id)] })),
        headers: { 'content-type': JSON_TYPE, 'x-hub-signature-256': 'sha256=00' },
      }),
      401,
      false,
    ],
    [
      'no signature',
      (id) => ({ headers: { 'content-type': JSON_TYPE }, body: envelope({ messages: [text(id)] }) }),
      401,
      false,
    ],
    [
      'a body changed after signing',
      (id) => {
        const post = signed(envelope({ messages: [text(id)] }));
        return { ...post, body: String(post.body).replace('Привет', 'Пока') };
      },
      401,
      false,
    ],
    ['malformed JSON', (id) => signed(`{"object":"${id}",`), 400, false],
    [
      'invalid UTF-8',
      (id) => signed(Buffer.concat([Buffer.from(`{"x":"${id}`), Buffer.from([0xff, 0x22, 0x7d])])),
      400,
      false,
    ],
    ['JSON nested 40 deep', (id) => signed(`${'['.repeat(40)}"${id}"${']'.repeat(40)}`), 400, false],
    ['not an envelope', (id) => signed(JSON.stringify({ entry: id })), 400, false],
    [
      'a signed text/plain body',
      (id) => signed(envelope({ messages: [text(id)] }), { 'content-type': 'text/plain' }),
      415,
      false,
    ],
    [
      'a signed body, no Content-Type',
      (id) => ({
        ...signed(envelope({ messages: [text(id)] })),
        headers: { 'x-hub-signature-256': signBytes(APP_SECRET, envelope({ messages: [text(id)] })) },
      }),
      415,
      false,
    ],
  ];

  it.each(cases)('%s', async (name, post, status, servedDirectly) => {
    const id = `wamid.${name.replace(/\W+/g, '-')}`;
    const [fromDirect, fromExpress] = await both(id, post);
    expect(fromDirect).toEqual(fromExpress);
    expect(fromDirect?.status).toBe(status);
    // The direct path answers a good webhook itself and passes every other request to Express.
    expect(direct.passed).toEqual(servedDirectly ? [] : [`POST ${PATH}`]);
    const [jobsDirect, jobsExpress] = [await jobsOf(id, 'd'), await jobsOf(id, 'e')];
    expect(jobsDirect).toEqual(jobsExpress);
    if (status === 200) expect(jobsDirect.length).toBeGreaterThan(0);
  });

  type HandOff = [name: string, path: string, post: (id: string) => RawPost, status: number];
  const handOffs: HandOff[] = [
    ['sent chunked', PATH, (id) => ({ ...signed(envelope({ messages: [text(id)] })), chunked: true }), 200],
    [
      'gzip-encoded (signed as sent: refused)',
      PATH,
      (id) => {
        const body = gzipSync(envelope({ messages: [text(id)] }));
        return signed(body, { 'content-encoding': 'gzip' });
      },
      401,
    ],
    [
      'gzip-encoded, signed inflated',
      PATH,
      (id) => {
        const plain = envelope({ messages: [text(id)] });
        return { ...signed(plain, { 'content-encoding': 'gzip' }), body: gzipSync(plain) };
      },
      200,
    ],
    ['a query string', `${PATH}?x=1`, (id) => signed(envelope({ messages: [text(id)] })), 200],
    ['a trailing slash', `${PATH}/`, (id) => signed(envelope({ messages: [text(id)] })), 200],
    [
      ';charset=UTF-8 without a space',
      PATH,
      (id) => signed(envelope({ messages: [text(id)] }), { 'content-type': `${JSON_TYPE};charset=UTF-8` }),
      200,
    ],
    ['an empty body', PATH, () => ({ headers: { 'content-type': JSON_TYPE }, body: '' }), 401],
    ['a body over the limit', PATH, () => signed(Buffer.alloc(WEBHOOK_BODY_LIMIT + 1, ' ')), 413],
  ];

  it.each(handOffs)('left to Express as it comes: %s', async (name, path, post, status) => {
    const id = `wamid.off-${name.replace(/\W+/g, '-')}`;
    const [fromDirect, fromExpress] = await both(id, post, path);
    expect(fromDirect).toEqual(fromExpress);
    expect(fromDirect?.status).toBe(status);
    expect(direct.passed).toEqual([`POST ${path}`]);
    expect(await jobsOf(id, 'd')).toEqual(await jobsOf(id, 'e'));
  });

  it('the verification challenge (GET) is left to Express and answered alike', async () => {
    for (const token of [VERIFY_TOKEN, 'wrong']) {
      const query = `?hub.mode=subscribe&hub.verify_token=${token}&hub.challenge=1158201444`;
      const [fromDirect, fromExpress] = await Promise.all(
        [direct, viaExpress].map((served) => fetch(`${served.url}${PATH}${query}`)),
      );
      expect(fromDirect?.status).toBe(fromExpress?.status);
      expect(await fromDirect?.text()).toBe(await fromExpress?.text());
      expect(direct.passed).toContain(`GET ${PATH}${query}`);
    }
  });

  it('a repeated delivery is queued once, the repeat answered `queued: 0` both ways', async () => {
    for (const served of [direct, viaExpress]) {
      const post = signed(envelope({ messages: [text(`wamid.repeat-${served === direct ? 'd' : 'e'}`)] }));
      const first = await postRaw(`${served.url}${PATH}`, post);
      const again = await postRaw(`${served.url}${PATH}`, post);
      expect([JSON.parse(first.text), JSON.parse(again.text)]).toEqual([
        { result: 'ok', queued: 1 },
        { result: 'ok', queued: 0 },
      ]);
    }
    expect(await jobsOf('wamid.repeat', 'd')).toHaveLength(1);
  });

  it('pipelined on one connection: a refused webhook then a good one, answered in order, the refusal logged once', async () => {
    const good = signed(envelope({ messages: [text('wamid.pipelined-good')] }));
    const bad = { ...signed(envelope({ messages: [text('wamid.pipelined-bad')] })), signature: 'sha256=00' };
    const request = (post: RawPost & { signature?: string }, last: boolean) => {
      const body = Buffer.from(post.body);
      const signature = post.signature ?? String(post.headers?.['x-hub-signature-256']);
      const head =
        `POST ${PATH} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: ${JSON_TYPE}\r\n` +
        `X-Hub-Signature-256: ${signature}\r\nContent-Length: ${body.length}\r\n${last ? 'Connection: close\r\n' : ''}\r\n`;
      return Buffer.concat([Buffer.from(head), body]);
    };
    direct.log.length = 0;
    const { port } = new URL(direct.url);
    const answer = await new Promise<string>((resolve, reject) => {
      const chunks: Buffer[] = [];
      const socket = connect(Number(port), '127.0.0.1', () => {
        socket.write(Buffer.concat([request(bad, false), request(good, true)]));
      });
      socket.on('data', (chunk: Buffer) => chunks.push(chunk));
      socket.on('error', reject);
      socket.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    });
    expect([...answer.matchAll(/HTTP\/1\.1 (\d{3}) /g)].map((m) => m[1])).toEqual(['401', '200']);
    expect(direct.log.filter((line) => line.msg === 'webhook refused: bad or missing signature')).toHaveLength(1);
    expect(await jobsOf('wamid.pipelined', 'good')).toHaveLength(1);
    expect(await jobsOf('wamid.pipelined', 'bad')).toHaveLength(0);
  });

  it('an upload cut short is refused and logged as the Express door does, and the door goes on serving', async () => {
    const headers = { 'content-type': JSON_TYPE, 'x-hub-signature-256': 'sha256=00' };
    const lines = await cutUploadLines([direct, viaExpress], PATH, headers, '{"object":');
    expect(lines[0]).toEqual(lines[1]);
    expect(lines[0]).toMatchObject({ code: 'bad_request', type: 'request.aborted' });
    const after = await postRaw(`${direct.url}${PATH}`, signed(envelope({ messages: [text('wamid.after-abort')] })));
    expect(after.status).toBe(200);
  });

  it('a dead Redis: a 503 at once from the direct path, answered and logged as by the Express door', async () => {
    const post = signed(envelope({ messages: [text('wamid.dead')] }));
    const { answers, passed } = await deadRedisAnswers(h.rt, webhookDirect, PATH, post);
    expect(answers[0]).toEqual(answers[1]);
    expect(answers[0]).toMatchObject({ status: 503, body: { error: 'unavailable' } });
    expect(passed).toEqual([`POST ${PATH}`]);
  });
});
