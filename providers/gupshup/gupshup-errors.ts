import { ActionError } from '../../lib/errors/app-error';
import { say } from '../../lib/i18n/catalogue';
import { mapCloudApiError } from '../cloud-api/cloud-api-errors';

/**
 * GupShup's own failure codes (waba-wire.md §5.6) as the Cloud API code that means the same, so a
 * `failed` event goes through the same mapping and advice as Meta's (13xxxx codes pass through as
 * they are). Codes with no Meta twin are absent.
 */
const metaTwin: Record<number, number> = {
  1002: 131026, // number not on WhatsApp
  1004: 131047, // outside the session window, and: template messaging disabled
  1005: 131047, // … message is not a template
  1006: 131047, // … user not opted in
  1007: 131047,
  1008: 131047,
  1010: 131053, // invalid media URL
  1011: 131053, // media size
  1012: 131050, // number opted out
  4001: 130429, // API rate limited
  4003: 132001, // no template match
  4005: 132015, // template paused
};

/** The Cloud API code a GupShup code stands for (13xxxx: itself), or undefined. */
export function gupshupMetaCode(code: number): number | undefined {
  return code >= 100_000 ? code : metaTwin[code];
}

/** A GupShup failure code (an event or an answer) → our error, with GupShup's reason. */
export function mapGupshupCode(code: number, reason: string): ActionError {
  const meta = gupshupMetaCode(code);
  if (meta !== undefined) {
    const mapped = mapCloudApiError(meta, reason);
    return new ActionError(mapped.code, `GupShup ${code}: ${reason}`, {
      says: say('wabaMedia.gupshupCode', { code, reason }),
      retryable: mapped.retryable,
      retryAfterMs: mapped.retryAfterMs,
      kind: mapped.kind,
      providerCode: code,
    });
  }
  if (code === 1003)
    return new ActionError('provider_quota_exceeded', `GupShup ${code}: ${reason}`, {
      providerCode: code,
      says: say('wabaMedia.gupshupCode', { code, reason }),
    });
  return new ActionError('provider_error', `GupShup ${code}: ${reason}`, {
    providerCode: code,
    says: say('wabaMedia.gupshupCode', { code, reason }),
  });
}

/**
 * A refused gateway request by HTTP status (§5.3): 401 → the line's API key; 429 → retry later;
 * 5xx → retry; other 4xx → a rejected request with the gateway's own text.
 */
export function mapGupshupHttpError(status: number, text: string, retryAfter?: number): ActionError {
  const detail = text || `HTTP ${status}`;
  if (status === 401 || status === 403) return new ActionError('line_auth_failed', detail, { providerCode: status });
  if (status === 429)
    return new ActionError('rate_limited', detail, { retryable: true, retryAfterMs: retryAfter, providerCode: status });
  if (status >= 500)
    return new ActionError('provider_unavailable', detail, {
      retryable: true,
      retryAfterMs: retryAfter,
      providerCode: status,
    });
  return new ActionError('provider_error', `HTTP ${status}: ${detail}`, { providerCode: status });
}
