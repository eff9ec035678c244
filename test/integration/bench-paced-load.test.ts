import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { pacedLoad, quantile } from '../../bench/paced-load';

/**
 * The bench's fixed-rate load (issue 10: the robot door at 1,000 req/s): an open loop at even
 * intervals, latency counted from each request's due time. Checked on loopback without timing
 * goals: only bounds that load on the machine cannot break (a request is never sent early; a
 * held answer is never measured shorter than it was held).
 */
describe('bench: paced load', () => {
  let server: Server;
  let url: string;
  /** How long the server holds each answer, and the status it gives, by request body. */
  let holdMs = 0;
  let status = 200;
  beforeEach(async () => {
    holdMs = 0;
    status = 200;
    server = createServer((req, res) => {
      // A client that gave up (its time-out) closed the connection: nothing is due any more. A held
      // answer's timer left armed kept the jest worker alive for up to a minute after its tests.
      // Listened to first: a close before the request's end is seen too.
      let answer: NodeJS.Timeout | undefined;
      let closed = false;
      res.once('close', () => {
        closed = true;
        clearTimeout(answer);
      });
      req.resume();
      req.on('end', () => {
        if (closed) return;
        answer = setTimeout(() => res.writeHead(status, { 'content-type': 'application/json' }).end('{}'), holdMs);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/b24/robot`;
  });
  afterEach(async () => {
    await new Promise((r) => server.close(r));
  });

  it('sends rate × seconds requests at even intervals, never ahead of their due time', async () => {
    const sentAt: number[] = [];
    const result = await pacedLoad({
      url,
      body: () => {
        sentAt.push(performance.now());
        return `n=${sentAt.length}`;
      },
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      rate: 200,
      seconds: 0.5,
      connections: 8,
    });
    expect(result.ok).toBe(100);
    expect(result.failures).toBe(0);
    expect(sentAt).toHaveLength(100);
    // Request i is due 5 ms × i after the first: a burst (all sent at once) would fail this.
    const first = sentAt[0] ?? 0;
    for (const [i, at] of sentAt.entries()) expect(at - first).toBeGreaterThanOrEqual(i * 5 - 0.5);
  });

  it('counts a held answer from its due time and a non-2xx answer as a failure', async () => {
    holdMs = 60;
    const held = await pacedLoad({
      url,
      body: () => 'x=1',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      rate: 100,
      seconds: 0.2,
      connections: 4,
    });
    expect(held.ok).toBe(20);
    expect(held.p50).toBeGreaterThanOrEqual(60);
    expect(held.serviceP99).toBeGreaterThanOrEqual(60);
    // One connection, an answer per 60 ms, a request due every 10 ms: the fifth answer comes ≥ 300 ms
    // after the start and was due at 40 ms, so the wait for the connection shows (≥ 260 ms).
    const queued = await pacedLoad({
      url,
      body: () => 'x=1',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      rate: 100,
      seconds: 0.05,
      connections: 1,
    });
    expect(queued.ok).toBe(5);
    expect(queued.p99).toBeGreaterThanOrEqual(260);
    holdMs = 0;
    status = 503;
    const refused = await pacedLoad({ url, body: () => 'x=1', headers: {}, rate: 100, seconds: 0.1, connections: 2 });
    expect(refused).toMatchObject({ ok: 0, failures: 10, rps: 0, p99: 0 });
  });

  it('a server that stops answering fails each request at its time-out, a wait for a connection included', async () => {
    holdMs = 60_000;
    const started = performance.now();
    const stalled = await pacedLoad({
      url,
      body: () => 'x=1',
      headers: {},
      rate: 100,
      seconds: 0.1,
      connections: 1,
      timeoutMs: 300,
    });
    expect(stalled).toMatchObject({ ok: 0, failures: 10 });
    // Not 10 × 300 ms one after another on the one connection: each counts from its hand-over.
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it('takes quantiles by nearest rank', () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(quantile(values, 0.5)).toBe(50);
    expect(quantile(values, 0.99)).toBe(99);
    expect(quantile([7], 0.99)).toBe(7);
    expect(quantile([], 0.99)).toBe(0);
  });
});
