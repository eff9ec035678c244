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
  415: 'unsupported',
};

interface ClientFailure {
  code: string;
  kind: ErrorKind;
  /** Fixed words for the caller and the log: a parser's own message may quote the body (a JSON SyntaxError does). */
  text: string;
}

/**
 * Express' body parsers (body-parser 2, raw-body, qs) name each failure by `type`; this is the one
 * map from those to what a door answers. Depth and parameter overflows are the sender's malformed
 * form (body-parser says 413 for too many parameters, but nothing about the size is wrong), so 400.
 */
const tooLarge: ClientFailure = { code: 'payload_too_large', kind: 'too_large', text: 'request body is too large' };
const parserFailures: Record<string, ClientFailure> = {
  'entity.too.large': tooLarge,
  'parameters.too.many': { code: 'bad_form', kind: 'bad_input', text: 'too many form fields' },
  'querystring.parse.rangeError': { code: 'bad_form', kind: 'bad_input', text: 'form keys are nested too deep' },
  'charset.unsupported': { code: 'unsupported_media_type', kind: 'unsupported', text: 'unsupported charset' },
  'encoding.unsupported': { code: 'unsupported_media_type', kind: 'unsupported', text: 'unsupported content encoding' },
};
const badJson: ClientFailure = { code: 'bad_json', kind: 'bad_input', text: 'request body is not valid JSON' };
const badForm: ClientFailure = { code: 'bad_form', kind: 'bad_input', text: 'request body is not a valid form' };

/** The text of any thrown value. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The body parser's name for a failure (`entity.too.large`…), when the error is one of its. */
export function parserErrorType(error: unknown): string | undefined {
  return error instanceof Error && 'type' in error && typeof error.type === 'string' ? error.type : undefined;
}

/** A client error raised by Express' own parsers (body-parser: 400, 413, 415…), read from its `status`. */
function clientStatus(error: unknown): number | null {
  if (!(error instanceof Error) || !('status' in error) || typeof error.status !== 'number') return null;
  return error.status >= 400 && error.status < 500 ? error.status : null;
}

/** What a client error from Express' own machinery means, by its parser type, else by its status. */
function clientFailure(error: Error, status: number): ClientFailure {
  const type = parserErrorType(error);
  const known = type === undefined ? undefined : parserFailures[type];
  if (known) return known;
  // JSON.parse (and body-parser's strict first-character check) fail with a SyntaxError; qs never does.
  if (type === 'entity.parse.failed') return error instanceof SyntaxError ? badJson : badForm;
  const kind = statusKinds[status] ?? 'bad_input';
  if (kind === 'too_large') return tooLarge;
  if (kind === 'unsupported') return { code: 'unsupported_media_type', kind, text: 'unsupported request body' };
  // An aborted upload, a length that does not match, a corrupt gzip stream…
  return { code: 'bad_request', kind, text: 'malformed request' };
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
  // Before the Redis test: a parser's message may quote the body, and the body may say anything.
  const status = clientStatus(error);
  if (status !== null && error instanceof Error) {
    const { code, kind, text } = clientFailure(error, status);
    return { code, retryable: false, retryAfterMs: undefined, kind, message: text };
  }
  if (error instanceof Error && REDIS_DOWN.test(`${error.name} ${message}`)) {
    return { code: 'storage_unavailable', retryable: true, retryAfterMs: undefined, kind: 'unavailable', message };
  }
  return { code: 'internal_error', retryable: true, retryAfterMs: undefined, kind: 'internal', message };
}
