import { ActionError } from '../../lib/errors/app-error';

/**
 * Maps a failed Green-API answer (green-api.com/docs/api/common-errors) by HTTP status:
 * 429 → retry later; 401/403 → the line's credentials; 466 → the plan's quota is used up;
 * 5xx → retry (both honour the gateway's Retry-After); other 4xx → a rejected request, with the gateway's own text.
 */
export function mapGreenApiError(status: number, body: string, retryAfter?: number): ActionError {
  const detail = describe(body) || `HTTP ${status}`;
  if (status === 429)
    return new ActionError('rate_limited', detail, { retryable: true, retryAfterMs: retryAfter, providerCode: status });
  if (status === 401 || status === 403) return new ActionError('line_auth_failed', detail, { providerCode: status });
  if (status === 466) return new ActionError('provider_quota_exceeded', detail, { providerCode: status });
  if (status >= 500 || status === 499) {
    return new ActionError('provider_unavailable', detail, {
      retryable: true,
      retryAfterMs: retryAfter,
      providerCode: status,
    });
  }
  return new ActionError('provider_error', `HTTP ${status}: ${detail}`, { providerCode: status });
}

/** The useful text of an error body: JSON `message`/`description`, else the text itself (trimmed). */
function describe(body: string): string {
  try {
    const json: unknown = JSON.parse(body);
    if (json && typeof json === 'object') {
      const record = json as Record<string, unknown>;
      const text = [record.message, record.description, record.error].find((v) => typeof v === 'string' && v !== '');
      if (typeof text === 'string') return text;
    }
  } catch {
    // Not JSON: Green-API answers some errors as plain text ("Unauthorized").
  }
  return body.trim().slice(0, 300);
}
