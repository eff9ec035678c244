import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent } from 'undici';
import { fetchFailure } from '../../../providers/fetch-failure';
import { MAX_EXCHANGE_MS, postJson } from '../../../providers/provider-http';
import { LINE_SLOT_IN_FLIGHT_MS } from '../../../redis/rate-scripts';
import { pollUntil } from '../../helpers/poll';

/** The send path's HTTP client against a loopback server that answers what each path says. */
describe('postJson (provider calls on the send path)', () => {
  let server: Server;
  let base = '';
  const seen: Array<{ path: string; headers: Record<string, unknown>; body: string }> = [];
  const hugeSockets: Array<{ destroyed: boolean; writableEnded: boolean }> = [];
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
        } else if (req.url === '/drip') {
          // Headers at once, then a byte every 100 ms: no gap is long, the whole never ends in time.
          res.writeHead(200, { 'content-type': 'application/json' });
          const timer = setInterval(() => res.write(' '), 100);
          res.on('close', () => clearInterval(timer));
        } else if (req.url?.startsWith('/huge')) {
          // 64 MiB in 64 KiB pieces, each written once the client took the last (stops when it hangs up).
          res.writeHead(req.url === '/huge-502' ? 502 : 200, { 'content-type': 'text/html' });
          const piece = Buffer.alloc(64 * 1024, 'x');
          let left = 1024;
          const more = () => {
            while (left > 0 && !res.destroyed) {
              left -= 1;
              if (!res.write(piece)) return void res.once('drain', more);
            }
            res.end();
          };
          more();
          hugeSockets.push(res);
        }
        // '/silent' never answers: the headers time-out.
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    // Cast: a server listening on a TCP port (not a pipe) has an AddressInfo address.
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

  it('fails when the whole answer takes longer than its deadline (may have been sent), nobody listening (not sent)', async () => {
    const silent = await postJson(`${base}/silent`, {}, {}, 200).catch((error: unknown) => error);
    expect(silent).toMatchObject({ code: 'provider_unavailable', retryable: true, outcomeUnknown: true });
    expect(fetchFailure(silent)).toBe(silent);
    const closed = new URL(base);
    closed.port = '1';
    const refused = await postJson(`${closed.origin}/x`, {}, {}, 2000).catch((error: unknown) => error);
    expect(refused).toMatchObject({ code: 'ECONNREFUSED' });
    expect(fetchFailure(refused).outcomeUnknown).toBe(false);
  });

  it('a body dripped a byte at a time still ends at the deadline (no gap is long enough for a per-phase timer)', async () => {
    const started = Date.now();
    const dripped = await postJson(`${base}/drip`, {}, {}, 600).catch((error: unknown) => error);
    expect(dripped).toMatchObject({ code: 'provider_unavailable', retryable: true, outcomeUnknown: true });
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('an answer over 1 MiB is refused, not buffered: classed by its status', async () => {
    const accepted = await postJson(`${base}/huge`, {}, {}, 10_000).catch((error: unknown) => error);
    // After a 2xx nobody can tell whether the message went out; the same answer will come again.
    expect(accepted).toMatchObject({ code: 'provider_error', retryable: false, outcomeUnknown: true });
    expect(String(accepted)).toMatch(/answer over 1048576 bytes \(HTTP 200\)/);
    const gateway = await postJson(`${base}/huge-502`, {}, {}, 10_000).catch((error: unknown) => error);
    expect(gateway).toMatchObject({ code: 'provider_unavailable', retryable: true, outcomeUnknown: true });
    // The client hung up long before the 64 MiB were written.
    await pollUntil(
      () => hugeSockets.length === 2 && hugeSockets.every((r) => r.destroyed),
      5000,
      'connections closed',
    );
    expect(hugeSockets.some((r) => r.writableEnded)).toBe(false);
  });

  it('a pool cut with a request on the wire and one queued behind it: the first may have been sent, the second was not', async () => {
    const pool = new Agent({ connections: 1, pipelining: 1 });
    const held = seen.filter((s) => s.path === '/silent').length;
    const onWire = postJson(`${base}/silent`, {}, {}, 10_000, pool).catch((error: unknown) => error);
    const queued = postJson(`${base}/silent`, {}, {}, 10_000, pool).catch((error: unknown) => error);
    // The server has the first (the second waits for the one connection).
    await pollUntil(() => seen.filter((s) => s.path === '/silent').length === held + 1, 5000, 'first request in');
    await pool.destroy();
    expect(fetchFailure(await onWire).outcomeUnknown).toBe(true);
    const notSent = await queued;
    expect(notSent).toMatchObject({ code: 'provider_unavailable', retryable: true, outcomeUnknown: false });
    expect(fetchFailure(notSent)).toBe(notSent);
    expect(seen.filter((s) => s.path === '/silent').length).toBe(held + 1);
  });

  it('a request undici refuses to build (a header with a line break, e.g. from a bad token) is not sent and not retried', async () => {
    const refused = await postJson(`${base}/ok?x=1`, { authorization: 'Bearer a\nb' }, {}, 5000).catch(
      (e: unknown) => e,
    );
    expect(refused).toMatchObject({ code: 'provider_error', retryable: false, outcomeUnknown: false });
  });

  it('the deadline never exceeds the line slot’s in-flight lease, and a bad URL rejects (never throws)', async () => {
    expect(MAX_EXCHANGE_MS).toBeLessThan(LINE_SLOT_IN_FLIGHT_MS);
    expect(() => postJson('not a url', {}, {}, 1000).catch(() => undefined)).not.toThrow();
    await expect(postJson('not a url', {}, {}, 1000)).rejects.toThrow();
  });
});
