/** Outbound HTTP POSTs from simulators (10 s timeout; network failures become status 0). */
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { errorMessage } from '../../lib/errors/classify-error';

/** The answer to an outbound POST (`status` 0 when the request failed). */
export interface PostResult {
  status: number;
  body: string;
}

/** The whole exchange, connection included, as `fetch` with `AbortSignal.timeout` had it. */
const TIMEOUT_MS = 10_000;

/**
 * Keep-alive pools of `node:http` rather than `fetch`: fetch's WHATWG streams cost the simulator
 * process about 0.6 ms of CPU per POST against 0.15 ms here, and in the bench that process shares
 * the cores with the app it measures (each customer reply is one webhook POST; issue 10). Sockets
 * are let go before the server's announced keep-alive time-out (Node's agent reads the hint).
 */
const agents = { 'http:': new HttpAgent({ keepAlive: true }), 'https:': new HttpsAgent({ keepAlive: true }) };

/** POSTs `body` with the given headers; never throws. */
export function postRaw(url: string, body: string, headers: Record<string, string>): Promise<PostResult> {
  return new Promise((resolve) => {
    let target: URL;
    try {
      target = new URL(url);
    } catch (err) {
      resolve({ status: 0, body: errorMessage(err) });
      return;
    }
    const protocol = target.protocol;
    if (protocol !== 'http:' && protocol !== 'https:') {
      resolve({ status: 0, body: `unsupported protocol ${protocol}` });
      return;
    }
    const payload = Buffer.from(body, 'utf8');
    let settled = false;
    const settle = (result: PostResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
    };
    const fail = (err: unknown) => settle({ status: 0, body: errorMessage(err) });
    const onAnswer = (res: IncomingMessage) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => settle({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', fail);
      res.on('aborted', () => fail(new Error('the answer was cut off')));
    };
    const options = {
      method: 'POST',
      agent: agents[protocol],
      headers: { ...headers, 'Content-Length': String(payload.length) },
    };
    const req =
      protocol === 'https:' ? httpsRequest(target, options, onAnswer) : httpRequest(target, options, onAnswer);
    const timer = setTimeout(
      () => req.destroy(new Error(`no answer within ${TIMEOUT_MS} ms (the operation timed out)`)),
      TIMEOUT_MS,
    );
    req.on('error', fail);
    req.end(payload);
  });
}

/** POSTs an already form-encoded body. */
export function postForm(url: string, body: string): Promise<PostResult> {
  return postRaw(url, body, { 'Content-Type': 'application/x-www-form-urlencoded' });
}
