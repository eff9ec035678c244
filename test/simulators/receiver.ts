/** A tiny HTTP receiver for simulator tests: records raw bodies and headers. */
import express from 'express';
import { type Listening, listen, stopServer } from '../../simulators/shared/listen';
import { pollUntil } from '../helpers/poll';

/** One received request. */
export interface Received {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  raw: string;
}

/** A started receiver. */
export interface Receiver {
  url: string;
  received: Received[];
  stop(): Promise<void>;
  /** Resolves once `n` requests have arrived. */
  waitFor(n: number, timeoutMs?: number): Promise<Received[]>;
}

/** How the receiver answers a request (its index counts from 0): a status, after `delayMs` if given. */
export type Answer = (request: Received, index: number) => number | { status: number; delayMs: number };

/** Starts a receiver answering 200 `ok` to everything, or what `answer` says. */
export async function startReceiver(answer: Answer = () => 200): Promise<Receiver> {
  const app = express();
  const received: Received[] = [];
  const timers = new Set<NodeJS.Timeout>();
  app.use(express.raw({ type: () => true }));
  app.use((req, res) => {
    const body: unknown = req.body;
    const request: Received = {
      method: req.method,
      path: req.originalUrl,
      headers: req.headers,
      raw: Buffer.isBuffer(body) ? body.toString('utf8') : '',
    };
    received.push(request);
    const decided = answer(request, received.length - 1);
    const { status, delayMs } = typeof decided === 'number' ? { status: decided, delayMs: 0 } : decided;
    const reply = () => {
      if (!res.writableEnded) res.status(status).send(status < 300 ? 'ok' : 'no');
    };
    if (delayMs > 0) timers.add(setTimeout(reply, delayMs));
    else reply();
  });
  const l: Listening = await listen(app, 0);
  return {
    url: l.url,
    received,
    stop: () => {
      for (const timer of timers) clearTimeout(timer);
      return stopServer(l.server);
    },
    async waitFor(n, timeoutMs = 3000) {
      await pollUntil(() => received.length >= n, timeoutMs, `${n} requests at the receiver`);
      return received;
    },
  };
}

/** POSTs JSON and returns status + parsed JSON body. */
export async function postJson(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}
