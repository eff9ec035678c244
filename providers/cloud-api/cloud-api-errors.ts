import { ActionError } from '../../lib/errors/app-error';
import type { ErrorCode } from '../../lib/errors/error-codes';

/** Graph error codes that are worth retrying later (throughput, pair rate, transient). */
const retryable = new Set([130429, 131056, 131000, 131016, 80007, 4, 1, 2]);

const mapped: Record<number, ErrorCode> = {
  131047: 'window_closed',
  130429: 'rate_limited',
  131056: 'rate_limited',
  80007: 'rate_limited',
  4: 'rate_limited',
  190: 'line_auth_failed',
  131026: 'undeliverable',
  131051: 'unsupported_message',
  100: 'invalid_parameter',
  132000: 'template_params_mismatch',
  132001: 'template_not_found',
  132015: 'template_paused',
  132016: 'template_paused',
  368: 'account_blocked',
  131000: 'provider_unavailable',
  131016: 'provider_unavailable',
  1: 'provider_unavailable',
  2: 'provider_unavailable',
};

/** Maps a Graph error (send answer or `failed` status) to our stable code; decided by code, not HTTP status. */
export function mapCloudApiError(code: number, message: string, details?: string, retryAfter?: number): ActionError {
  const ours = mapped[code] ?? 'provider_error';
  const detail = ours === 'provider_error' ? `(#${code}) ${details ?? message}` : (details ?? message);
  const canRetry = retryable.has(code);
  return new ActionError(ours, detail, {
    retryable: canRetry,
    retryAfterMs: canRetry ? retryAfter : undefined,
    providerCode: code,
  });
}
