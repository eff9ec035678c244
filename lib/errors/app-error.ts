import { type Lang, type Localized, render, say } from '../i18n/catalogue';
import { type ErrorCode, errorText } from './error-codes';

/** What went wrong, for the caller: the doors turn it into an HTTP status in one place (app/middleware/error-handler). */
export type ErrorKind =
  | 'bad_input'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'too_large'
  /** Well-formed, but it conflicts with what the caller asked before (an idempotency key reused): 422. */
  | 'unprocessable'
  /** The caller sent too many requests: try again after `retryAfterMs`. */
  | 'rate_limited'
  /** The body's media type, charset or content encoding is not one the door reads. */
  | 'unsupported'
  | 'unavailable'
  | 'internal';

export interface AppErrorOptions {
  /** A later try could succeed (queues retry it; doors answer 503). */
  retryable?: boolean;
  /** When to try again, when the other side said so (Retry-After, a full rate window). */
  retryAfterMs?: number;
  kind?: ErrorKind;
  cause?: unknown;
}

/**
 * The one base error: a stable snake_case `code`, whether a retry could help and when.
 * Every error the app throws on purpose is one; `classifyError` reads anything else.
 */
export class AppError extends Error {
  readonly retryable: boolean;
  readonly retryAfterMs: number | undefined;
  readonly kind: ErrorKind;

  constructor(
    readonly code: string,
    message: string,
    options: AppErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.retryable = options.retryable ?? false;
    this.retryAfterMs = options.retryAfterMs;
    this.kind = options.kind ?? (this.retryable ? 'unavailable' : 'internal');
  }
}

/** What an action error tells the portal user besides its code's text: catalogue entries, rendered late. */
export type ErrorWords = Localized | readonly Localized[];

/**
 * An error that ends an action with `status=error`: a code from the catalogue. People read the code's
 * text and `says` in the portal's language; `detail` is for the app's own log only (a provider's
 * English text, an HTTP status), never shown in the robot log.
 */
export class ActionError extends AppError {
  declare readonly code: ErrorCode;
  readonly providerCode: number | string | undefined;
  /**
   * The provider may have carried the request out before it failed (a time-out, a dropped
   * connection, a 5xx): a send that failed this way may have reached the customer.
   */
  readonly outcomeUnknown: boolean;
  readonly says: readonly Localized[];

  constructor(
    code: ErrorCode,
    readonly detail = '',
    options: {
      retryable?: boolean;
      retryAfterMs?: number;
      providerCode?: number | string;
      outcomeUnknown?: boolean;
      says?: ErrorWords;
      /** Default: retryable → unavailable, else bad_input (the robot's data). */
      kind?: ErrorKind;
    } = {},
  ) {
    const says: readonly Localized[] =
      options.says === undefined ? [] : 'key' in options.says ? [options.says] : options.says;
    const told = says.map((s) => render('en', s)).join('; ');
    const extra = [told, detail].filter(Boolean).join(' — ');
    super(code, extra ? `${errorText(code, 'en')}: ${extra}` : errorText(code, 'en'), {
      retryable: options.retryable,
      retryAfterMs: options.retryAfterMs,
      kind: options.kind ?? (options.retryable ? 'unavailable' : 'bad_input'),
    });
    this.providerCode = options.providerCode;
    this.outcomeUnknown = options.outcomeUnknown ?? false;
    this.says = says;
  }

  /** The same error, known not to have been carried out (it failed before the request left). */
  withKnownOutcome(): ActionError {
    if (!this.outcomeUnknown) return this;
    const { retryable, retryAfterMs, providerCode, says, kind } = this;
    return new ActionError(this.code, this.detail, { retryable, retryAfterMs, providerCode, says, kind });
  }

  /** The same error, marked: the request may have been carried out before it failed. */
  withUnknownOutcome(): ActionError {
    const { retryable, retryAfterMs, providerCode, says, kind } = this;
    return new ActionError(this.code, this.detail, {
      retryable,
      retryAfterMs,
      providerCode,
      kind,
      outcomeUnknown: true,
      says,
    });
  }

  /** Text for people in the portal's language: the code's text, what the error names, an unmapped provider code. */
  text(lang: Lang): string {
    const parts = this.says.map((s) => render(lang, s));
    if (this.code === 'provider_error' && this.providerCode !== undefined)
      parts.push(render(lang, say('error.detail.provider_code', { code: String(this.providerCode) })));
    return parts.length ? `${errorText(this.code, lang)}: ${parts.join('; ')}` : errorText(this.code, lang);
  }
}

/** The line's send window is full: run the job again after `retryAfterMs` (not a failed attempt). */
export class LineBusyError extends AppError {
  declare readonly retryAfterMs: number;

  constructor(waitMs: number) {
    super('line_busy', `line rate limit: retry in ${waitMs} ms`, { retryable: true, retryAfterMs: waitMs });
  }
}
