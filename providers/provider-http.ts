import { Agent, request } from 'undici';

/**
 * One keep-alive connection pool per process for provider calls on the send path. `undici.request`
 * instead of the global `fetch`: the same client underneath, without the WHATWG streams, abort
 * signals and Response objects that made `fetch` the largest single cost of a sent message in the
 * worker's CPU profile (issue 10).
 */
const agent = new Agent({ keepAliveTimeout: 30_000, connections: 128 });

export interface ProviderAnswer {
  status: number;
  /** The Retry-After header when present. */
  retryAfter: string | null;
  /** The parsed JSON body, or null when the body is empty or not JSON. */
  json: unknown;
}

/**
 * POSTs a JSON body and reads the whole answer. `timeoutMs` bounds the wait for the answer's
 * headers and then for its body (undici's own timers: no AbortSignal per call). Network failures
 * throw undici's errors, whose `code` fetch-failure.ts reads.
 */
export async function postJson(
  url: string,
  headers: Record<string, string>,
  body: unknown,
  timeoutMs: number,
): Promise<ProviderAnswer> {
  const answer = await request(url, {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/json' },
    body: JSON.stringify(body),
    dispatcher: agent,
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
  });
  const text = await answer.body.text();
  let json: unknown = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  const retryAfter = answer.headers['retry-after'];
  return { status: answer.statusCode, retryAfter: typeof retryAfter === 'string' ? retryAfter : null, json };
}
