/** Serialising (ASCII-escaped, like Python `json.dumps`) and signing webhook bodies, then POSTing them. */
import { createHmac } from 'node:crypto';
import { postRaw } from '../shared/http-post';
import type { WebhookDelivery } from './types';

/** JSON with every character above 0x7e escaped as `\uXXXX` (surrogate pairs as two escapes). */
export function asciiJson(value: unknown): string {
  return JSON.stringify(value).replace(
    /[\u007f-\uffff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** `sha256=<hex HMAC-SHA256(secret, body)>`. */
export function signatureOf(secret: string, rawBody: string): string {
  return `sha256=${createHmac('sha256', secret).update(rawBody, 'utf8').digest('hex')}`;
}

/** A webhook ready to go: its exact bytes and headers (signed), as Meta sends them. */
export interface SignedWebhook {
  rawBody: string;
  headers: Record<string, string>;
}

/** Serialises and signs `payload` as Meta does. `signature: null` omits the header. */
export function signedWebhook(payload: unknown, secret: string, signature?: string | null): SignedWebhook {
  const rawBody = asciiJson(payload);
  const headers: Record<string, string> = { 'Content-Type': 'application/json', 'User-Agent': 'facebookexternalua' };
  if (signature !== null) headers['X-Hub-Signature-256'] = signature ?? signatureOf(secret, rawBody);
  return { rawBody, headers };
}

/** POSTs a signed webhook to `url`. */
export async function postSigned(url: string, webhook: SignedWebhook): Promise<WebhookDelivery> {
  const res = await postRaw(url, webhook.rawBody, webhook.headers);
  return { status: res.status, body: res.body, rawBody: webhook.rawBody };
}

/** Signs and POSTs `payload` to `url` as Meta does. `signature: null` omits the header. */
export function postWebhook(
  url: string,
  payload: unknown,
  secret: string,
  signature?: string | null,
): Promise<WebhookDelivery> {
  return postSigned(url, signedWebhook(payload, secret, signature));
}
