import { createHmac } from 'node:crypto';
import { type IncomingHttpHeaders, request } from 'node:http';

/** What a door answered. */
export interface RawResponse {
  status: number;
  contentType: string;
  /** Every header, names in lower case. */
  headers: IncomingHttpHeaders;
  text: string;
}

export interface RawPost {
  /** Sent as given: nothing is added but Content-Length (not even a Content-Type). */
  headers?: Record<string, string>;
  body: Buffer | string;
  /** Sent in pieces without Content-Length (Transfer-Encoding: chunked), so the size is known only while reading. */
  chunked?: boolean;
}

const PIECE = 64 * 1024;

/** POSTs exact bytes with exact headers (fetch would add a Content-Type and re-encode strings). */
export async function postRaw(url: string, post: RawPost): Promise<RawResponse> {
  const body = typeof post.body === 'string' ? Buffer.from(post.body, 'utf8') : post.body;
  const headers = { ...(post.chunked ? {} : { 'content-length': String(body.length) }), ...post.headers };
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          contentType: String(res.headers['content-type'] ?? ''),
          headers: res.headers,
          text: Buffer.concat(chunks).toString('utf8'),
        }),
      );
    });
    req.on('error', reject);
    if (!post.chunked) {
      req.end(body);
      return;
    }
    for (let at = 0; at < body.length; at += PIECE) req.write(body.subarray(at, at + PIECE));
    req.end();
  });
}

/** Meta's `X-Hub-Signature-256` over exact bytes (invalid UTF-8 included). */
export function signBytes(secret: string, body: Buffer | string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}
