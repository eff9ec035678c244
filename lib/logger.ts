import pino, { type Logger } from 'pino';

export type { Logger };

/** Root logger; secrets are redacted wherever they appear in log objects. */
export function createLogger(level = 'info'): Logger {
  return pino({
    level,
    base: undefined,
    redact: {
      paths: [
        '*.access_token',
        '*.refresh_token',
        '*.accessToken',
        '*.refreshToken',
        '*.application_token',
        '*.applicationToken',
        'auth',
        '*.auth',
        'headers.authorization',
        // A body parser's error carries the raw body (tokens included): never log it.
        'err.body',
        '*.err.body',
      ],
      censor: '[redacted]',
    },
  });
}
