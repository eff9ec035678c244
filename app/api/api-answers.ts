import type { Response } from 'express';
import type { z } from 'zod';
import { AppError } from '../../lib/errors/app-error';
import { classifyError } from '../../lib/errors/classify-error';
import { errorText, isErrorCode } from '../../lib/errors/error-codes';
import { type Lang, type MessageKey, t } from '../../lib/i18n/catalogue';
import { setRetryAfter, statusOfKind } from '../middleware/error-handler';
import type { errorAnswer } from './api-schemas';

export type { Lang };

type ApiErrorBody = z.infer<typeof errorAnswer>['error'];

/** The API's own codes: their texts are the catalogue's `api.<code>` entries. */
const apiCodes = {
  invalid_token: 'api.invalid_token',
  unknown_method: 'api.unknown_method',
  bad_parameter: 'api.bad_parameter',
  rate_limited: 'api.rate_limited',
  message_not_found: 'api.message_not_found',
  line_not_found: 'api.line_not_found',
  payload_too_large: 'api.payload_too_large',
  unsupported_media_type: 'api.unsupported_media_type',
  unavailable: 'api.unavailable',
  internal_error: 'api.internal_error',
  idempotency_key_reused: 'api.idempotency_key_reused',
} as const satisfies Record<string, MessageKey>;

const apiKeyOf = (code: string): MessageKey | undefined =>
  // hasOwn has just shown `code` is one of the keys.
  Object.hasOwn(apiCodes, code) ? apiCodes[code as keyof typeof apiCodes] : undefined;

/** Text of a code for people, in `lang`: the API's own, the robots' catalogue, else the error's own words. */
export function textOf(code: string, lang: Lang, fallback: string): string {
  const own = apiKeyOf(code);
  if (own) return t(lang, own);
  return isErrorCode(code) ? errorText(code, lang) : fallback;
}

/** A bad request field: 400 naming it. */
export function badParameter(field: string, reason: string): AppError & { field: string } {
  return Object.assign(new AppError('bad_parameter', `${field}: ${reason}`, { kind: 'bad_input' }), { field });
}

/** The error answer for any thrown value: the one error model's kind decides the status. */
export function errorAnswerOf(
  error: unknown,
  lang: Lang,
): { status: number; body: ApiErrorBody; retryAfterMs?: number } {
  const failure = classifyError(error);
  const status = statusOfKind[failure.kind];
  // A failed send names its message, so the caller can ask about it later.
  const messageId = Reflect.get(Object(error), 'messageId');
  const named = typeof messageId === 'string' ? { message_id: messageId } : {};
  if (status >= 500) {
    const code = status === 503 ? 'unavailable' : 'internal_error';
    return {
      status,
      body: { code, message: t(lang, apiCodes[code]), ...named },
      retryAfterMs: failure.retryAfterMs,
    };
  }
  const field =
    error instanceof AppError && 'field' in error && typeof error.field === 'string' ? error.field : undefined;
  const detail = 'detail' in Object(error) ? String(Reflect.get(Object(error), 'detail') ?? '') : '';
  const base = textOf(failure.code, lang, failure.message);
  const message = field ? `${base}: ${failure.message}` : detail ? `${base}: ${detail}` : base;
  return {
    status,
    body: { code: failure.code, message, ...(field ? { field } : {}), ...named },
    retryAfterMs: failure.retryAfterMs,
  };
}

/** `{ok: true, result}` */
export function answerOk(res: Response, result: unknown): void {
  res.json({ ok: true, result });
}

/** `{ok: false, error}` with its status and, for 429/503, Retry-After. */
export function answerError(res: Response, error: unknown, lang: Lang): void {
  const { status, body, retryAfterMs } = errorAnswerOf(error, lang);
  setRetryAfter(res, status, retryAfterMs);
  res.status(status).json({ ok: false, error: body });
}
