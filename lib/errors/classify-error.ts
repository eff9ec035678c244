import { AppError, type ErrorKind } from './app-error';

/** How any thrown value should be treated: by queues (retry, when) and doors (status). */
export interface ErrorClass {
  code: string;
  retryable: boolean;
  retryAfterMs: number | undefined;
  kind: ErrorKind;
  message: string;
}

// ioredis' words for a connection that is down or gave up (the command never ran).
const REDIS_DOWN =
  /Stream isn't writeable|Connection is closed|MaxRetriesPerRequest|ECONNREFUSED|ECONNRESET|enableOfflineQueue|ETIMEDOUT/i;

const statusKinds: Record<number, ErrorKind> = {
  400: 'bad_input',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  413: 'too_large',
};

/** The text of any thrown value. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** A client error raised by Express' own parsers (body-parser: 400, 413, 415…), read from its `status`. */
function clientStatus(error: unknown): number | null {
  if (!(error instanceof Error) || !('status' in error) || typeof error.status !== 'number') return null;
  return error.status >= 400 && error.status < 500 ? error.status : null;
}

/**
 * The one place that decides whether an error is worth another try. An AppError says so itself;
 * a dead Redis is retryable; anything unclassified (a bug, a hiccup) gets the same retries as a
 * transient error, so a job is never lost to one bad moment.
 */
export function classifyError(error: unknown): ErrorClass {
  const message = errorMessage(error);
  if (error instanceof AppError) {
    return {
      code: error.code,
      retryable: error.retryable,
      retryAfterMs: error.retryAfterMs,
      kind: error.kind,
      message,
    };
  }
  if (error instanceof Error && REDIS_DOWN.test(`${error.name} ${message}`)) {
    return { code: 'storage_unavailable', retryable: true, retryAfterMs: undefined, kind: 'unavailable', message };
  }
  const status = clientStatus(error);
  if (status !== null) {
    const kind = statusKinds[status] ?? 'bad_input';
    return {
      code: kind === 'too_large' ? 'body_too_large' : 'bad_request',
      retryable: false,
      retryAfterMs: undefined,
      kind,
      message,
    };
  }
  return { code: 'internal_error', retryable: true, retryAfterMs: undefined, kind: 'internal', message };
}
