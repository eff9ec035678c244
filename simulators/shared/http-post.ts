/** Outbound HTTP POSTs from simulators (10 s timeout; network failures become status 0). */
import { Agent, request } from 'undici';
import { errorMessage } from '../../lib/errors/classify-error';

/** The answer to an outbound POST (`status` 0 when the request failed). */
export interface PostResult {
  status: number;
  body: string;
}

/** The whole exchange, connection included, as `fetch` with `AbortSignal.timeout` had it. */
const TIMEOUT_MS = 10_000;

/**
 * undici's own `request` on a keep-alive pool rather than `fetch`: fetch's WHATWG streams cost the
 * simulator process about 0.6 ms of CPU per POST against 0.08-0.19 ms here (0.12-0.19 with
 * `node:http`), and in the bench that process shares the cores with the app it measures (each
 * customer reply is one webhook POST; issue 10). Unlike fetch it follows no redirect: the app
 * answers none, and one added by mistake shows up as the 3xx rather than as the page it points
 * to. The pool drops a socket before the server's announced keep-alive time-out.
 */
const agent = new Agent({ keepAliveTimeout: 4_000 });

/** POSTs `body` with the given headers; never throws. */
export async function postRaw(url: string, body: string, headers: Record<string, string>): Promise<PostResult> {
  const abort = new AbortController();
  const timer = setTimeout(
    () => abort.abort(new Error(`no answer within ${TIMEOUT_MS} ms (the operation timed out)`)),
    TIMEOUT_MS,
  );
  try {
    const res = await request(url, { method: 'POST', headers, body, dispatcher: agent, signal: abort.signal });
    return { status: res.statusCode, body: await res.body.text() };
  } catch (err) {
    return { status: 0, body: errorMessage(err) };
  } finally {
    clearTimeout(timer);
  }
}

/** POSTs an already form-encoded body. */
export function postForm(url: string, body: string): Promise<PostResult> {
  return postRaw(url, body, { 'Content-Type': 'application/x-www-form-urlencoded' });
}
