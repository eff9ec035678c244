import type { ErrorRequestHandler } from 'express';
import type { z } from 'zod';
import { ActionError, AppError } from '../../lib/errors/app-error';
import { classifyError } from '../../lib/errors/classify-error';
import { langOf } from '../../lib/i18n/catalogue';
import type { Logger } from '../../lib/logger';
import { pageSessionSchema } from '../../portals/page-session';
import { textOf } from '../api/api-answers';
import { setRetryAfter, statusOfKind } from '../middleware/error-handler';

/**
 * A settings request's path for the log: Bull Board's paths carry the page session
 * (`…/queues/<session>/…`), which would let whoever reads the log act as that admin; the query
 * is dropped too.
 */
export function maskedSettingsPath(url: string): string {
  return (url.split('?')[0] ?? '').replace(/(\/queues\/)[^/]+/, '$1***');
}

/**
 * The settings API's error answers `{error: {code, message}}` in the page's language. A provider's
 * refusal of credentials (an ActionError that no retry mends) is the admin's input: 400 with its
 * advice, not a server failure.
 */
export function createSettingsErrorHandler(log: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, next) => {
    void next;
    const session = pageSessionSchema.safeParse(res.locals.session);
    // Before a session (the session door): the language the page asked for.
    const lang = session.success
      ? session.data.lang
      : langOf(typeof res.locals.lang === 'string' ? res.locals.lang : '');
    const failure = classifyError(error);
    const refused = error instanceof ActionError && !error.retryable;
    const status = refused ? 400 : statusOfKind[failure.kind];
    if (status >= 500)
      log.error(
        { err: error, path: maskedSettingsPath(req.originalUrl), code: failure.code },
        'settings request failed',
      );
    setRetryAfter(res, status, failure.retryAfterMs);
    const code = status === 500 ? 'internal_error' : failure.code;
    const text = textOf(code, lang, failure.message);
    // A wrong field is named after the code's words (the text alone would not say which).
    const message = code === 'bad_parameter' ? `${text}: ${failure.message}` : text;
    res.status(status).json({ error: { code, message } });
  };
}

/** Parses a page request's input: 400 `bad_parameter` naming the first wrong field. */
export function parseInput<T>(schema: z.ZodType<T>, value: unknown): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field = issue?.path.join('.') || 'body';
  throw new AppError('bad_parameter', `${field}: ${issue?.message ?? 'invalid'}`, { kind: 'bad_input' });
}
