/**
 * The Cloud API simulator answers plain `/messages` POSTs on the bare http server and leaves the
 * others (compressed, chunked, too large) to express: both ways must check and answer alike.
 */
import { request } from 'node:http';
import { gzipSync } from 'node:zlib';
import { type CloudApiSimulator, createCloudApiSimulator } from '../../simulators/whatsapp-cloud';
import { BODY_LIMIT_BYTES, directMessagesId } from '../../simulators/whatsapp-cloud/messages-door';

const TOKEN = 'EAAG-door-token';
const PHONE_ID = '200000000000009';

interface Answer {
  status: number;
  contentType: string | undefined;
  json: unknown;
}

type Way = 'direct' | 'gzip' | 'chunked';

/** POSTs `body` (text) the given way: Content-Length (direct), gzip-coded or chunked (through express). */
function post(url: string, body: string, way: Way, token = TOKEN): Promise<Answer> {
  const bytes = way === 'gzip' ? gzipSync(body) : Buffer.from(body, 'utf8');
  const headers: Record<string, string> = { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` };
  if (way === 'gzip') headers['Content-Encoding'] = 'gzip';
  if (way !== 'chunked') headers['Content-Length'] = String(bytes.length);
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, contentType: res.headers['content-type'], json: JSON.parse(text) });
      });
    });
    req.on('error', reject);
    if (way === 'chunked') {
      // Two writes without a length: Node sends the body chunked.
      req.write(bytes.subarray(0, 5));
      req.end(bytes.subarray(5));
    } else req.end(bytes);
  });
}

/** The answer with its random parts (wamid, fbtrace_id) blanked, to compare two ways. */
function comparable(answer: Answer): unknown {
  return JSON.parse(
    JSON.stringify(answer)
      .replace(/wamid\.[A-Za-z0-9+/=]+/g, 'wamid')
      .replace(/"fbtrace_id":"[^"]*"/g, '"fbtrace_id":""'),
  );
}

describe('whatsapp cloud simulator: the /messages door', () => {
  let sim: CloudApiSimulator;
  let url: string;
  beforeEach(async () => {
    sim = createCloudApiSimulator({ appSecret: 's3cret', throughputPerSec: 1000 });
    url = `${(await sim.start(0)).url}/v25.0/${PHONE_ID}/messages`;
    sim.addPhoneNumber({ phoneNumberId: PHONE_ID, accessToken: TOKEN, displayPhoneNumber: '+7 900 111-22-33' });
  });
  afterEach(() => sim.stop());

  const text = (to: string) =>
    JSON.stringify({ messaging_product: 'whatsapp', to, type: 'text', text: { body: 'Привет' } });
  const cases: Array<{ name: string; body: string; token?: string; status: number }> = [
    { name: 'a valid send', body: text('79161234567'), status: 200 },
    { name: 'a bad token', body: text('79161234567'), token: 'wrong', status: 401 },
    { name: 'a body that is not JSON', body: '{"messaging_product":', status: 400 },
    { name: 'a bad number', body: text('12'), status: 400 },
    { name: 'a text too long', body: text('79161234567').replace('Привет', 'x'.repeat(4097)), status: 400 },
    {
      name: 'a mark-read',
      body: JSON.stringify({ messaging_product: 'whatsapp', status: 'read', message_id: 'w' }),
      status: 200,
    },
  ];

  it.each(cases)('answers $name alike directly, gzip-coded and chunked (through express)', async (c) => {
    const answers: Answer[] = [];
    for (const way of ['direct', 'gzip', 'chunked'] as const) answers.push(await post(url, c.body, way, c.token));
    const [direct, ...viaExpress] = answers;
    expect(direct?.status).toBe(c.status);
    expect(direct?.contentType).toBe('application/json; charset=utf-8');
    for (const other of viaExpress) expect(comparable(other)).toEqual(comparable(direct as Answer));
    // Every way is recorded as an attempt, with the parsed body.
    expect(sim.attempts().map((a) => a.httpStatus)).toEqual([c.status, c.status, c.status]);
    expect(sim.attempts().every((a) => JSON.stringify(a.body) === JSON.stringify(sim.attempts()[0]?.body))).toBe(true);
  });

  it('leaves compressed, chunked, oversized and other requests to express', () => {
    const req = (method: string, path: string, headers: Record<string, string>) =>
      ({ method, url: path, headers }) as unknown as Parameters<typeof directMessagesId>[0];
    const path = `/v25.0/${PHONE_ID}/messages`;
    expect(directMessagesId(req('POST', path, { 'content-length': '10' }))).toBe(PHONE_ID);
    expect(directMessagesId(req('POST', `${path}?x=1`, { 'content-length': '10' }))).toBe(PHONE_ID);
    expect(directMessagesId(req('POST', path, { 'content-length': '10', 'content-encoding': 'identity' }))).toBe(
      PHONE_ID,
    );
    expect(directMessagesId(req('POST', path, { 'content-length': '10', 'content-encoding': 'gzip' }))).toBeUndefined();
    expect(directMessagesId(req('POST', path, { 'transfer-encoding': 'chunked' }))).toBeUndefined();
    expect(directMessagesId(req('POST', path, { 'content-length': String(BODY_LIMIT_BYTES + 1) }))).toBeUndefined();
    expect(directMessagesId(req('POST', path, {}))).toBeUndefined();
    expect(directMessagesId(req('GET', path, { 'content-length': '10' }))).toBeUndefined();
    expect(directMessagesId(req('POST', `/v25.0/${PHONE_ID}/media`, { 'content-length': '10' }))).toBeUndefined();
    // Paths express parses its own way (a fragment dropped, '\\' read as '/') are left to it.
    expect(directMessagesId(req('POST', `/v25.0/${PHONE_ID}#/messages`, { 'content-length': '10' }))).toBeUndefined();
    expect(directMessagesId(req('POST', `/v25.0\\${PHONE_ID}/messages`, { 'content-length': '10' }))).toBeUndefined();
  });

  it('refuses a body over the limit (413) and an unknown content coding (415), as express does', async () => {
    const refusal = (body: Buffer, headers: Record<string, string>) =>
      new Promise<number>((resolve, reject) => {
        const all = { Authorization: `Bearer ${TOKEN}`, 'Content-Length': String(body.length), ...headers };
        const req = request(url, { method: 'POST', headers: all }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        });
        req.on('error', reject);
        req.end(body);
      });
    expect(await refusal(Buffer.alloc(BODY_LIMIT_BYTES + 1, 32), {})).toBe(413);
    expect(await refusal(Buffer.from('{}'), { 'Content-Encoding': 'compress-x' })).toBe(415);
    expect(sim.attempts()).toEqual([]);
  });
});
