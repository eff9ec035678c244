import { ActionError } from '../../lib/errors/app-error';
import { say } from '../../lib/i18n/catalogue';
import { mapCloudApiError } from '../cloud-api/cloud-api-errors';

/**
 * GupShup's own failure codes (waba-wire.md §5.6, GupShup's partner docs "Error Codes") as the Cloud
 * API code that means the same, so a `failed` event goes through the same mapping and advice as
 * Meta's (13xxxx codes pass through as they are). Codes with no Meta twin are absent.
 * Of the "user inactive for session message" family only 1005 is the closed window a template
 * answers (a free-form message that matched no template): it alone is 131047 and so takes the
 * window fallback. 1004 (the app's template messaging disabled) has no twin: a template would be
 * refused too, so the error is GupShup's own. 1006/1007/1008 (not opted in for templates) refuse
 * a template as well: undeliverable, as Meta says for a user who cannot get the message.
 */
const metaTwin: Record<number, number> = {
  1002: 131026, // number not on WhatsApp
  1005: 131047, // outside the session window, and the message is not a template
  1006: 131026, // … and the user has not opted in for templates
  1007: 131026, // … not opted in, and not a template
  1008: 131026, // neither proxied nor opted in
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
