// When and how the page renews its session (frame.ts runs it on the browser's timer). No DOM, Vue
// or SDK here (test/unit/web/renewal.test.ts).
import { SESSION_TIMEOUT_MS } from './page-api';
import { type GateTimers, RETRY_AFTER_MAX_MS, RETRY_AFTER_TRIES } from './retry-after';

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
 * held by the gate during the waits still go with a valid token when it opens. Not counted: a gate
 * another call's 429 closed before the renewal's first try, or kept closed later (only a proxy
 * refusing every call does that today); a renewal that ends late then fails, and
 * planAfterRenewalFailure decides from the session's end, not from this sum.
 */
export const RENEWAL_BUDGET_MS =
  REFRESH_AUTH_TIMEOUT_MS + RETRY_AFTER_TRIES * SESSION_TIMEOUT_MS + (RETRY_AFTER_TRIES - 1) * RETRY_AFTER_MAX_MS;

/** The page session's life (portals/page-session.ts PAGE_SESSION_TTL_MS; renewal.test.ts holds them equal). */
export const SESSION_LIFE_MS = 30 * 60_000;
/**
 * How much earlier than SESSION_LIFE_MS after the page got it the page takes its session as over:
 * a session the server put in the page was minted while the page loaded.
 */
export const SESSION_END_MARGIN_MS = 60_000;
/** The pause before a failed renewal's one more try, while the session is still good. */
export const RENEW_AGAIN_AFTER_MS = 60_000;

/** When the page takes a session it got at `gotAt` as over. */
export const sessionEndOf = (gotAt: number): number => gotAt + SESSION_LIFE_MS - SESSION_END_MARGIN_MS;

/**
 * What the page does after a failed renewal: while the session is still good it keeps its tabs
 * (and the edits in them) and says it could not renew, trying once more (`retryAt`) when that try
 * still starts before the session ends; once the session is over (`lapsed`) it says why.
 */
export type RenewalFailurePlan = { lapsed: true } | { lapsed: false; retryAt: number | null; endsAt: number };

export function planAfterRenewalFailure(now: number, endsAt: number, triedAgain: boolean): RenewalFailurePlan {
  if (now >= endsAt) return { lapsed: true };
  const retryAt = now + RENEW_AGAIN_AFTER_MS;
  // Only a try whose session call can end (or be given up) before the session does.
  const fits = retryAt + SESSION_TIMEOUT_MS < endsAt;
  return { lapsed: false, endsAt, retryAt: !triedAgain && fits ? retryAt : null };
}

/** What the page shows of its renewals (session.ts state). */
export interface RenewalState {
  renewal: { retryAt: number | null; endsAt: number } | null;
  error: string;
  words: Record<string, string>;
}

export interface RenewerDeps {
  /** The portal's fresh token (frame.ts: the SDK's refresh), or null when there is none to renew with. */
  portalAuth: () => Promise<{ memberId: string; accessToken: string } | null>;
  /** Starts a session with it (frame.ts also moves sessionEndsAt on). */
  startSession: (memberId: string, accessToken: string) => Promise<void>;
  /** When the page takes its current session as over (sessionEndOf of when it got it). */
  sessionEndsAt: () => number;
  timers: GateTimers;
  state: RenewalState;
}

/**
 * The page's renewal, one at a time (a tick while one runs does nothing, so a renewal waiting out a
 * Retry-After is never doubled). No token to renew with is a failure like any other. After a
 * failure it follows planAfterRenewalFailure: a notice, one retry, and at the session's end the
 * expired error, unless a renewal is running then: its outcome decides (its failure comes after
 * the end, so it lapses; its success renews).
 */
export function createRenewer(deps: RenewerDeps): () => Promise<void> {
  const { state, timers } = deps;
  let running = false;
  let triedAgain = false;
  let cancels: Array<() => void> = [];
  const cancelTimers = () => {
    for (const cancel of cancels) cancel();
    cancels = [];
  };
  const expire = () => {
    state.renewal = null;
    state.error = state.words['settings.sessionExpired'] ?? 'settings.sessionExpired';
  };
  const afterFailure = () => {
    const now = timers.now();
    const plan = planAfterRenewalFailure(now, deps.sessionEndsAt(), triedAgain);
    cancelTimers();
    if (plan.lapsed) return expire();
    state.renewal = { retryAt: plan.retryAt, endsAt: plan.endsAt };
    if (plan.retryAt !== null) {
      triedAgain = true;
      cancels.push(timers.schedule(() => void renew(), plan.retryAt - now));
    }
    cancels.push(
      timers.schedule(() => {
        if (!running) expire();
      }, plan.endsAt - now),
    );
  };
  const renew = async () => {
    if (running) return;
    running = true;
    try {
      const auth = await deps.portalAuth();
      if (!auth) throw new Error('no portal token to renew the session with');
      await deps.startSession(auth.memberId, auth.accessToken);
      triedAgain = false;
      cancelTimers();
      state.renewal = null;
    } catch {
      afterFailure();
    } finally {
      running = false;
    }
  };
  return renew;
}
