/** Outbound HTTP POSTs from simulators (10 s timeout; network failures become status 0). */

/** The answer to an outbound POST (`status` 0 when the request failed). */
export interface PostResult {
  status: number;
  body: string;
}

/** POSTs `body` with the given headers; never throws. */
export async function postRaw(url: string, body: string, headers: Record<string, string>): Promise<PostResult> {
  try {
    const res = await fetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(10000) });
    return { status: res.status, body: await res.text() };
  } catch (err) {
    return { status: 0, body: err instanceof Error ? err.message : String(err) };
  }
}

/** POSTs an already form-encoded body. */
export function postForm(url: string, body: string): Promise<PostResult> {
  return postRaw(url, body, { 'Content-Type': 'application/x-www-form-urlencoded' });
}
