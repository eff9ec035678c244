import type { Response } from 'express';
import type { z } from 'zod';
import { AppError } from '../../lib/errors/app-error';
import { classifyError } from '../../lib/errors/classify-error';
import { errorText, isErrorCode } from '../../lib/errors/error-codes';
import { setRetryAfter, statusOfKind } from '../middleware/error-handler';
import type { errorAnswer } from './api-schemas';

export type Lang = 'ru' | 'en';
type ApiErrorBody = z.infer<typeof errorAnswer>['error'];

/** Texts of the API's own codes; action and provider codes use the robots' catalogue. */
const texts: Record<string, Record<Lang, string>> = {
  invalid_token: { en: 'Unknown or revoked token', ru: 'Неизвестный или отозванный токен' },
  unknown_method: { en: 'No such method', ru: 'Нет такого метода' },
  bad_parameter: { en: 'Invalid parameter', ru: 'Неверный параметр' },
  rate_limited: { en: 'Too many requests: retry later', ru: 'Слишком много запросов: повторите позже' },
  message_not_found: { en: 'No such message on this line', ru: 'Нет такого сообщения на этой линии' },
  line_not_found: {
    en: "The token's line is no longer connected",
    ru: 'Линия этого токена больше не подключена',
  },
  payload_too_large: { en: 'Request body is too large', ru: 'Слишком большое тело запроса' },
  unsupported_media_type: {
    en: 'Send a form or JSON body',
    ru: 'Отправьте тело запроса как форму или JSON',
  },
  unavailable: { en: 'Temporarily unavailable: retry later', ru: 'Временно недоступно: повторите позже' },
  internal_error: { en: 'Internal error', ru: 'Внутренняя ошибка' },
};

/** Text of a code for people, in `lang`: the API's own, the robots' catalogue, else the error's own words. */
export function textOf(code: string, lang: Lang, fallback: string): string {
  const own = texts[code];
  if (own) return own[lang];
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
      body: { code, message: texts[code]?.[lang] ?? code, ...named },
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
