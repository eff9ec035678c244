import type { ErrorRequestHandler } from 'express';
import type { Logger } from '../../lib/logger';

/** An error with the HTTP status and machine code the caller should see. */
export class HttpError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
}

function isRedisUnavailable(error: unknown): boolean {
  const text = error instanceof Error ? `${error.name} ${error.message}` : '';
  return /Stream isn't writeable|Connection is closed|MaxRetriesPerRequest|ECONNREFUSED|enableOfflineQueue/i.test(text);
}

/** One error handler: clean JSON answers; a dead Redis is a 503 so callers retry. */
export function createErrorHandler(log: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, next) => {
    void next;
    if (error instanceof HttpError) {
      res.status(error.status).json({ error: error.code, error_description: error.message });
      return;
    }
    if (error instanceof SyntaxError || (error instanceof Error && 'type' in error && error.type === 'entity.parse.failed')) {
      res.status(400).json({ error: 'bad_request', error_description: 'malformed body' });
      return;
    }
    if (isRedisUnavailable(error)) {
      log.error({ err: error, path: req.path }, 'redis unavailable');
      res.status(503).json({ error: 'unavailable', error_description: 'storage unavailable, retry later' });
      return;
    }
    log.error({ err: error, path: req.path }, 'unhandled error');
    res.status(500).json({ error: 'internal_error', error_description: 'internal error' });
  };
}
