import { AppError } from '../lib/errors/app-error';

/** A Bitrix24 REST error with the portal's code; `retryable` steers queues. */
export class BitrixError extends AppError {
  constructor(
    code: string,
    readonly description: string,
    readonly httpStatus: number,
    readonly method: string,
    options: { retryAfterMs?: number; cause?: unknown } = {},
  ) {
    super(code, `${method}: ${code || 'error'}: ${description}`, {
      retryable: isRetryableBitrixCode(code, httpStatus),
      retryAfterMs: options.retryAfterMs,
      cause: options.cause,
      kind: code === PORTAL_NOT_INSTALLED ? 'not_found' : 'unavailable',
    });
  }
}

/** The portal's host resolved to a private address when connecting (lib/connect-guard.ts): the queue jobs end; the dispatchers retry slowly (workers/portal-address-refusal.ts). */
export const ADDRESS_REFUSED = 'ADDRESS_REFUSED';

/** The portal uninstalled the app: nobody is left to call or to tell. */
export const PORTAL_NOT_INSTALLED = 'PORTAL_NOT_INSTALLED';

/**
 * A portal answer (HTTP 200) whose shape the app does not understand (a record without the field
 * read). Retried like an unclassified fault (lib/errors/classify-error.ts): a later answer may be
 * whole, and the queue's tries are bounded.
 */
export const UNEXPECTED_ANSWER = 'UNEXPECTED_ANSWER';

// NO_ANSWER: a batch row missing from the answer; we cannot know it took effect, so try again.
const retryableCodes = new Set([
  UNEXPECTED_ANSWER,
  'QUERY_LIMIT_EXCEEDED',
  'OPERATION_TIME_LIMIT',
  'INTERNAL_SERVER_ERROR',
  'NETWORK_ERROR',
  'REQUEST_TIMEOUT',
  'expired_token',
  'NO_ANSWER',
]);

/** Rate limits, time limits, 5xx and transport failures are worth another try; the rest are not. */
export function isRetryableBitrixCode(code: string, httpStatus: number): boolean {
  if (code === PORTAL_NOT_INSTALLED || code === ADDRESS_REFUSED) return false;
  return retryableCodes.has(code) || httpStatus >= 500 || httpStatus === 0;
}

/** `bizproc.event.send` for a workflow that is gone: the wait is over, not a fault. */
export function isWorkflowGone(code: string, description: string): boolean {
  return code === '404' || /business process is not found|бизнес-процесс не найден/i.test(description);
}
