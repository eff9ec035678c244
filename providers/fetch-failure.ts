import { addressRefusalIn, poolClosedIn } from '../lib/connect-guard';
import { ActionError } from '../lib/errors/app-error';
import { errorMessage } from '../lib/errors/classify-error';

// undici's codes for a request that never reached the provider (no connection was made).
const NOT_SENT = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EAI_NONAME',
  'UND_ERR_CONNECT_TIMEOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

const codeOf = (value: unknown): string | undefined =>
  value && typeof value === 'object' && 'code' in value && typeof value.code === 'string' ? value.code : undefined;

/** `fetch` wraps the network error as its `cause`; `undici.request` throws it (or its own) as is. */
function causeCode(error: unknown): string | undefined {
  return codeOf(error instanceof Error ? error.cause : undefined) ?? codeOf(error);
}

/**
 * A provider request that threw before any answer: retryable. Whether the provider may have
 * carried it out decides the duplicate guard — a connection that was never made sent nothing;
 * a time-out or a connection dropped after the request left may have.
 */
export function fetchFailure(error: unknown): ActionError {
  // Already classed by provider-http.ts (its deadline, an answer too large).
  if (error instanceof ActionError) return error;
  // The API host resolved to a private address when connecting: nothing was sent, and retrying will not help.
  const refused = addressRefusalIn(error);
  if (refused) return new ActionError('address_refused', refused.message, { retryable: false, outcomeUnknown: false });
  // The process is stopping and its pool is closed: nothing was sent, the job's next try may go.
  const closed = poolClosedIn(error);
  if (closed)
    return new ActionError('provider_unavailable', closed.message, { retryable: true, outcomeUnknown: false });
  const code = causeCode(error);
  const outcomeUnknown = code === undefined || !NOT_SENT.has(code);
  return new ActionError('provider_unavailable', errorMessage(error), { retryable: true, outcomeUnknown });
}
