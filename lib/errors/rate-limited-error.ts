import { AppError } from './app-error';

/**
 * A caller sent too many requests: `rate_limited`, answered 429 with Retry-After (the wait, rounded
 * up to whole seconds by the doors). One class for every request window the doors keep (the
 * webhook API's per token, the settings page's sign-in per address and portal); each says in
 * `message` (the log's words, never the caller's: they read the catalogue's) which window refused.
 */
export class RateLimitedError extends AppError {
  constructor(waitMs: number, message = `retry in ${waitMs} ms`) {
    super('rate_limited', message, { kind: 'rate_limited', retryAfterMs: waitMs });
  }
}
