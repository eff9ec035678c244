import { performance } from 'node:perf_hooks';
import { Pool } from 'undici';

export interface PacedLoadOptions {
  url: string;
  body: () => string;
  headers: Record<string, string>;
  /** Requests per second, sent at even intervals (an open loop: a slow answer never delays the next). */
  rate: number;
  seconds: number;
  /** Connections the pool may open (requests beyond them queue in the pool, and that wait counts). */
  connections: number;
  /** Per-request limit, ms, from its hand-over to the pool (a wait for a connection included): then a failure. */
  timeoutMs?: number;
}

export interface PacedLoadResult {
  /** Answers with a 2xx status. */
  ok: number;
  failures: number;
  /** 2xx answers per second, from the first scheduled send to the last answer. */
  rps: number;
  /** Latency from each request's scheduled send time (what a caller arriving then waits), ms. */
  p50: number;
  p99: number;
  /** The same from the moment the generator handed the request to its pool (its own lag left out), ms. */
  serviceP99: number;
}

/** The q-quantile of ascending values (nearest rank). */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank] ?? 0;
}

/**
 * A fixed arrival rate as a busy portal produces it: request i is due at start + i/rate, whatever
 * the earlier ones are doing, and its latency counts from that due time (so a stall of the server
 * — or of this generator — shows in the percentiles instead of silently lowering the rate).
 * autocannon's `overallRate` was not that: each connection sends its share of a second back to
 * back at the second's start and then pauses, so the server sees a burst of the whole second's
 * requests every second, and its latencies were recorded with a 1 ms "expected interval" that
 * adds a synthetic sample per millisecond of every slow answer.
 */
export async function pacedLoad(o: PacedLoadOptions): Promise<PacedLoadResult> {
  const url = new URL(o.url);
  const pool = new Pool(url.origin, { connections: o.connections, pipelining: 1 });
  const total = Math.round(o.rate * o.seconds);
  const intervalMs = 1000 / o.rate;
  const latencies: number[] = [];
  const service: number[] = [];
  let failures = 0;
  let lastAnswer = 0;
  const inFlight: Array<Promise<void>> = [];
  const send = async (dueAt: number) => {
    const leftAt = performance.now();
    try {
      const answer = await pool.request({
        path: url.pathname + url.search,
        method: 'POST',
        headers: o.headers,
        body: o.body(),
        // undici's own time-outs start once a connection takes the request: a server that stopped
        // answering would drain the queue one time-out per connection at a time.
        signal: AbortSignal.timeout(o.timeoutMs ?? 10_000),
      });
      await answer.body.dump();
      const now = performance.now();
      lastAnswer = Math.max(lastAnswer, now);
      if (answer.statusCode >= 200 && answer.statusCode < 300) {
        latencies.push(now - dueAt);
        service.push(now - leftAt);
      } else failures++;
    } catch {
      failures++;
    }
  };
  const start = performance.now();
  try {
    let sent = 0;
    while (sent < total) {
      const due = Math.min(total, Math.floor((performance.now() - start) / intervalMs) + 1);
      for (; sent < due; sent++) inFlight.push(send(start + sent * intervalMs));
      // The next due time, at the timer's 1 ms grain (late ticks send what fell due meanwhile).
      await new Promise((r) => setTimeout(r, Math.max(0, start + sent * intervalMs - performance.now())));
    }
    await Promise.all(inFlight);
  } finally {
    await pool.close();
  }
  latencies.sort((a, b) => a - b);
  service.sort((a, b) => a - b);
  const seconds = (lastAnswer - start) / 1000;
  return {
    ok: latencies.length,
    failures,
    rps: seconds > 0 ? latencies.length / seconds : 0,
    p50: quantile(latencies, 0.5),
    p99: quantile(latencies, 0.99),
    serviceP99: quantile(service, 0.99),
  };
}
