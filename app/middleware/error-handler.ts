import type { ErrorRequestHandler, Response } from 'express';
import type { ErrorKind } from '../../lib/errors/app-error';
import { classifyError, parserErrorType } from '../../lib/errors/classify-error';
import type { Logger } from '../../lib/logger';

/** The one map from an error's kind to the HTTP status a door answers with. */
export const statusOfKind: Record<ErrorKind, number> = {
  bad_input: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  too_large: 413,
  unprocessable: 422,
  rate_limited: 429,
  unsupported: 415,
  unavailable: 503,
  internal: 500,
};

/** Retry-After in whole seconds (at least 1) on a 429 or 503 whose wait is known. */
export function setRetryAfter(res: Response, status: number, retryAfterMs: number | undefined): void {
  if ((status === 429 || status === 503) && retryAfterMs !== undefined)
    res.set('Retry-After', String(Math.max(1, Math.ceil(retryAfterMs / 1000))));
}

/**
 * One error handler for every door: a client's mistake gets its 4xx with a clear reason, a dead
 * Redis or upstream a 503 (callers retry; Retry-After when known), anything else a 500 that says
 * nothing internal. A 5xx is logged with its error (the logger's serializer drops any body it carries);
 * a 4xx only by code, the parser's failure type and the body's size: never the body, nor a parser's
 * message (a JSON SyntaxError quotes the body, planted tokens and all).
 */
export function createErrorHandler(log: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, next) => {
    void next;
    // A GupShup callback URL carries the line's secret as its last segment: never logged.
    const path = req.path.replace(/^(\/gupshup\/webhook\/[^/]+\/)[^/]+/, '$1***');
    const failure = classifyError(error);
    const status = statusOfKind[failure.kind];
    if (status >= 500) log.error({ err: error, path, code: failure.code }, 'request failed');
    else {
      const declared = req.headers['content-length'];
      const length = declared === undefined ? undefined : Number(declared);
      const type = parserErrorType(error);
      log.info({ path, code: failure.code, reason: failure.message, type, length }, 'request refused');
    }
    setRetryAfter(res, status, failure.retryAfterMs);
    if (status === 500) {
      res.status(500).json({ error: 'internal_error', error_description: 'internal error' });
      return;
    }
    const description = status === 503 ? 'temporarily unavailable, retry later' : failure.message;
    res.status(status).json({ error: status === 503 ? 'unavailable' : failure.code, error_description: description });
  };
}
