import { createHmac } from 'node:crypto';
import type { Dispatcher } from 'undici';
import type { Clock } from '../lib/clock';
import { addressRefusalIn, type FetchInit, fetchThrough } from '../lib/connect-guard';
import { errorMessage } from '../lib/errors/classify-error';

/** `X-Signature-256`: the HMAC-SHA256 of the raw body with the subscription's secret, hex. */
export function signatureHeader(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body, 'utf8').digest('hex')}`;
}

/** What one delivery attempt got. */
export interface PostOutcome {
  ok: boolean;
  /** The receiver's status, 0 when none came. */
  httpStatus: number;
  error: string;
  durationMs: number;
}

export interface PostEventInput {
  url: string;
  body: string;
  eventId: string;
  secret: string;
  timeoutMs: number;
  clock: Clock;
  /** Why the URL may not be called now (DNS may have changed since the subscription was added). */
  refusal: (url: string) => Promise<string | undefined>;
  /** The pool that applies the policy again when connecting (the name may answer differently by then). */
  dispatcher: Dispatcher | undefined;
}

/** POSTs one event, signed; any 2xx is delivered, anything else (3xx included: never followed) is not. */
export async function postEvent(input: PostEventInput): Promise<PostOutcome> {
  const started = input.clock.now();
  const outcome = (httpStatus: number, error: string): PostOutcome => ({
    ok: httpStatus >= 200 && httpStatus < 300,
    httpStatus,
    error,
    durationMs: input.clock.now() - started,
  });
  try {
    const refused = await input.refusal(input.url);
    if (refused) return outcome(0, `address refused: ${refused}`);
    const init: FetchInit = {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        'User-Agent': 'b24-whatsapp-robots-hooks/1',
        'X-Event-Id': input.eventId,
        'X-Signature-256': signatureHeader(input.secret, input.body),
      },
      body: input.body,
      // A redirect could point at a private address the policy never saw.
      redirect: 'manual',
      signal: AbortSignal.timeout(input.timeoutMs),
    };
    const response = await fetchThrough(input.dispatcher, input.url, init);
    // The answer's body is not used; reading it (capped by the time-out) frees the connection.
    await response.arrayBuffer().catch(() => undefined);
    return outcome(response.status, response.ok ? '' : `HTTP ${response.status}`);
  } catch (error) {
    const refused = addressRefusalIn(error);
    if (refused) return outcome(0, `address refused: ${refused.message}`);
    // A DOMException (the abort) may come from another realm: its name, not its class, tells.
    const name = error && typeof error === 'object' && 'name' in error ? String(error.name) : '';
    const timedOut = name === 'TimeoutError' || name === 'AbortError';
    return outcome(0, timedOut ? `no answer in ${input.timeoutMs} ms` : errorMessage(error));
  }
}
