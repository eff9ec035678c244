// When and how the page renews its session (frame.ts runs it on the browser's timer). No DOM, Vue
// or SDK here (test/unit/web/renewal.test.ts).
import { ApiError, SESSION_TIMEOUT_MS } from './page-api';
import { RETRY_AFTER_MAX_MS, RETRY_AFTER_TRIES } from './retry-after';

/** How often the page renews its session: well before it ends (portals/page-session.ts PAGE_SESSION_TTL_MS, 30 min). */
export const RENEW_EVERY_MS = 20 * 60_000;
/** The frame SDK's own bound on `refreshAuth` (b24jssdk frame/auth REFRESH_AUTH_TIMEOUT): it rejects after it. */
export const REFRESH_AUTH_TIMEOUT_MS = 10_000;

/**
 * The longest one renewal takes: the SDK's refresh, then every try of the session call (each given
 * up after SESSION_TIMEOUT_MS) and the Retry-After waits between them (each at most
 * RETRY_AFTER_MAX_MS). A renewal starting RENEW_EVERY_MS after the page opened ends this much
 * later, while the session is still good: test/unit/web/renewal.test.ts holds the sum under the
 * session's life, with room for the page's loading and a hidden tab's throttled timers. So calls
 * held by the gate during the waits still go with a valid token when it opens.
 */
export const RENEWAL_BUDGET_MS =
  REFRESH_AUTH_TIMEOUT_MS + RETRY_AFTER_TRIES * SESSION_TIMEOUT_MS + (RETRY_AFTER_TRIES - 1) * RETRY_AFTER_MAX_MS;

/**
 * `run` at most once at a time: a tick while a run is still going does nothing, so a renewal
 * waiting out a Retry-After is never doubled. Every step of a run is bounded (RENEWAL_BUDGET_MS),
 * so a run that hangs on the network ends and frees the next tick; its failure goes to `onFailure`.
 */
export function oneAtATime(run: () => Promise<void>, onFailure: (error: unknown) => void): () => Promise<void> {
  let running = false;
  return async () => {
    if (running) return;
    running = true;
    try {
      await run();
    } catch (error) {
      onFailure(error);
    } finally {
      running = false;
    }
  };
}

/**
 * What the page says when a renewal failed for good (nothing retries it; the notice of a wait went
 * with the last refusal): refused every try (429), the server's own words for another refusal,
 * else (the portal's refresh failed, the network) that the session is over.
 */
export function renewalFailureText(error: unknown, words: Record<string, string>): string {
  const refused = error instanceof ApiError && error.status === 429;
  if (error instanceof ApiError && !refused) return error.message;
  const key = refused ? 'settings.renewRefused' : 'settings.sessionExpired';
  return words[key] ?? key;
}
