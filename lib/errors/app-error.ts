import { errorText, type ErrorCode } from './error-codes';

/**
 * An error that ends an action with `status=error`: a stable snake_case `code`,
 * text in Russian and English, and whether a later try could succeed.
 */
export class ActionError extends Error {
  constructor(
    readonly code: ErrorCode,
    readonly detail = '',
    readonly options: { retryable?: boolean; retryAfterMs?: number; providerCode?: number | string } = {},
  ) {
    super(detail ? `${errorText(code, 'en')}: ${detail}` : errorText(code, 'en'));
  }

  get retryable(): boolean {
    return this.options.retryable ?? false;
  }

  /** Human text in the portal's language. */
  text(lang: 'ru' | 'en'): string {
    return this.detail ? `${errorText(this.code, lang)}: ${this.detail}` : errorText(this.code, lang);
  }
}

/** The line's send window is full: run the job again after `waitMs` (not an error). */
export class RateLimitedError extends Error {
  constructor(readonly waitMs: number) {
    super(`line rate limit: retry in ${waitMs} ms`);
  }
}
