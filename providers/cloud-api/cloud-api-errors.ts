import { ActionError, type ErrorKind } from '../../lib/errors/app-error';
import type { ErrorCode } from '../../lib/errors/error-codes';

/** Graph error codes that are worth retrying later (throughput, pair rate, transient, Flow throttling). */
const retryable = new Set([130429, 131056, 131000, 131016, 80007, 4, 1, 2, 132069]);

/** 131049 (per-user marketing cap): an immediate retry fails again; Meta advises waiting a day (waba-wire.md §2). */
const MARKETING_HOLD_MS = 24 * 3_600_000;

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
  // waba-wire.md §2: delivery and policy codes.
  131048: 'spam_rate_limited',
  131049: 'marketing_limit',
  131050: 'marketing_opted_out',
  131052: 'media_download_failed',
  131053: 'media_upload_failed',
  131031: 'account_locked',
  368: 'account_blocked',
  // waba-wire.md §1.5: template codes.
  132000: 'template_params_mismatch',
  132001: 'template_not_found',
  132005: 'template_text_too_long',
  132007: 'template_policy_violation',
  132008: 'template_param_format',
  132012: 'template_param_type',
  132015: 'template_paused',
  132016: 'template_disabled',
  132068: 'flow_blocked',
  132069: 'flow_throttled',
  131000: 'provider_unavailable',
  131016: 'provider_unavailable',
  1: 'provider_unavailable',
  2: 'provider_unavailable',
};

/**
 * What kind of failure a code is, where it is not the robot's data (the default for a refusal):
 * limits WhatsApp set on the number or the customer, and a blocked or locked account.
 */
const kinds: Record<number, ErrorKind> = {
  131048: 'rate_limited',
  131049: 'rate_limited',
  131031: 'forbidden',
  368: 'forbidden',
};

/** Maps a Graph error (send answer or `failed` status) to our stable code; decided by code, not HTTP status. */
export function mapCloudApiError(code: number, message: string, details?: string, retryAfter?: number): ActionError {
  const ours = mapped[code] ?? 'provider_error';
  const detail = ours === 'provider_error' ? `(#${code}) ${details ?? message}` : (details ?? message);
  const canRetry = retryable.has(code);
  return new ActionError(ours, detail, {
    retryable: canRetry,
    // 131049 is not retried by the queue (a retry now fails again) but says when one can succeed.
    retryAfterMs: canRetry ? retryAfter : code === 131049 ? MARKETING_HOLD_MS : undefined,
    providerCode: code,
    kind: kinds[code],
  });
}
