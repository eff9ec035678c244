import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fetchFailure } from '../../../providers/fetch-failure';
import { postJson } from '../../../providers/provider-http';

/** The send path's HTTP client against a loopback server that answers what each path says. */
describe('postJson (provider calls on the send path)', () => {
  let server: Server;
  let base = '';
  const seen: Array<{ path: string; headers: Record<string, unknown>; body: string }> = [];
  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => {
        body += c.toString('utf8');
      });
      req.on('end', () => {
        seen.push({ path: req.url ?? '', headers: req.headers, body });
        if (req.url === '/ok?x=1') {
          res.writeHead(200, { 'content-type': 'application/json' });
          // In pieces: the answer is put together before it is read.
          res.write('{"messages":[{"id":"wamid.');
          setImmediate(() => res.end('A"}]}'));
        } else if (req.url === '/busy') {
          res.writeHead(429, { 'Retry-After': '7', 'content-type': 'application/json' });
          res.end('{"error":{"code":130429}}');
        } else if (req.url === '/html') {
          res.writeHead(502, { 'content-type': 'text/html' });
          res.end('<html>bad gateway</html>');
        } else if (req.url === '/empty') {
          res.writeHead(204);
          res.end();
        }
        // '/silent' never answers: the headers time-out.
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('sends the JSON with its headers and reads an answer that came in pieces', async () => {
    const answer = await postJson(`${base}/ok?x=1`, { authorization: 'Bearer t' }, { to: '7916' }, 5000);
    expect(answer).toEqual({ status: 200, retryAfter: null, json: { messages: [{ id: 'wamid.A' }] } });
    const request = seen.find((s) => s.path === '/ok?x=1');
    expect(request?.body).toBe('{"to":"7916"}');
    expect(request?.headers).toMatchObject({ authorization: 'Bearer t', 'content-type': 'application/json' });
  });

  it("keeps the answer's Retry-After (any letter case), a body that is not JSON as null, and an empty one", async () => {
    expect(await postJson(`${base}/busy`, {}, {}, 5000)).toEqual({
      status: 429,
      retryAfter: '7',
      json: { error: { code: 130429 } },
    });
    expect(await postJson(`${base}/html`, {}, {}, 5000)).toEqual({ status: 502, retryAfter: null, json: null });
    expect(await postJson(`${base}/empty`, {}, {}, 5000)).toEqual({ status: 204, retryAfter: null, json: null });
  });

  it("fails with undici's own errors: no answer in time (may have been sent), nobody listening (not sent)", async () => {
    const silent = await postJson(`${base}/silent`, {}, {}, 200).catch((error: unknown) => error);
    expect(silent).toMatchObject({ code: 'UND_ERR_HEADERS_TIMEOUT' });
    expect(fetchFailure(silent).outcomeUnknown).toBe(true);
    const closed = new URL(base);
    closed.port = '1';
    const refused = await postJson(`${closed.origin}/x`, {}, {}, 2000).catch((error: unknown) => error);
    expect(refused).toMatchObject({ code: 'ECONNREFUSED' });
    expect(fetchFailure(refused).outcomeUnknown).toBe(false);
  });
});
