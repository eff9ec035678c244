import { PAGE_SESSION_TTL_MS } from '../../../portals/page-session';
import { createPageApi, type PageApiState, SESSION_TIMEOUT_MS } from '../../../web/src/page-api';
import {
  createRenewer,
  planAfterRenewalFailure,
  RENEW_AGAIN_AFTER_MS,
  RENEW_EVERY_MS,
  RENEWAL_BUDGET_MS,
  SESSION_LIFE_MS,
  sessionEndOf,
} from '../../../web/src/renewal';
import { createRetryGate } from '../../../web/src/retry-after';
import { createManualTimers, settle } from '../../helpers/manual-timers';

describe("the page's session renewal", () => {
  it('ends, refusals and their waits included, while the session it renews is still good', () => {
    // Room for what the sum leaves out: the page's loading before its renewal timer starts (the
    // session was minted before), and a hidden tab's timer firing up to a minute late (Chrome).
    const pageLoadingMs = 60_000;
    const throttledTimerMs = 60_000;
    expect(RENEW_EVERY_MS + RENEWAL_BUDGET_MS + pageLoadingMs + throttledTimerMs).toBeLessThanOrEqual(
      PAGE_SESSION_TTL_MS,
    );
  });

  it('a renewal that never settles is given up, and the next renewal goes', async () => {
    const timers = createManualTimers();
    const state: PageApiState = {
      ...{ token: 'session', admin: false, queues: false, userName: '', timeZone: '', lang: 'en' },
      words: { 'settings.timedOut': 'no answer in time' },
      ...{ api: '/api', error: '' },
    };
    const gate = createRetryGate(timers, () => undefined);
    let asked = 0;
    // A half-open connection: no answer ever, only the page's own timeout ends the request.
    const hang = (_url: string, init: RequestInit) =>
      new Promise<Response>((_resolve, reject) => {
        asked += 1;
        init.signal?.addEventListener('abort', () => reject(init.signal?.reason));
      });
    const api = createPageApi({ state, gate, fetch: hang, timeoutSignal: timers.timeoutSignal, now: timers.now });
    const endsAt = sessionEndOf(timers.now());
    const shown = { renewal: null as { retryAt: number | null; endsAt: number } | null, error: '', words: state.words };
    const renew = createRenewer({
      portalAuth: async () => ({ memberId: 'member', accessToken: 'auth' }),
      startSession: api.startSession,
      sessionEndsAt: () => endsAt,
      timers,
      state: shown,
    });
    void renew();
    await settle();
    expect(asked).toBe(1);
    // The next tick while it hangs: never two at once.
    void renew();
    await settle();
    expect(asked).toBe(1);

    await timers.advance(SESSION_TIMEOUT_MS);
    // Given up: a failure while the session is still good, so a notice and no error.
    expect(shown.renewal).toEqual({ endsAt, retryAt: timers.now() + RENEW_AGAIN_AFTER_MS });
    expect(shown.error).toBe('');
    void renew();
    await settle();
    expect(asked).toBe(2);
  });
});

describe('after a failed renewal', () => {
  const gotAt = Date.UTC(2026, 11, 1, 9, 0, 0);
  const endsAt = sessionEndOf(gotAt);

  it("takes the page's session life from the server's", () => {
    expect(SESSION_LIFE_MS).toBe(PAGE_SESSION_TTL_MS);
    expect(endsAt).toBeLessThan(gotAt + PAGE_SESSION_TTL_MS);
  });

  it('keeps the session while it is good and tries once more after a pause', () => {
    const failedAt = gotAt + RENEW_EVERY_MS + 30_000;
    expect(planAfterRenewalFailure(failedAt, endsAt, false)).toEqual({
      lapsed: false,
      endsAt,
      retryAt: failedAt + RENEW_AGAIN_AFTER_MS,
    });
  });

  it('tries only once more: a second failure keeps the session until its end, with no retry', () => {
    const failedAt = gotAt + RENEW_EVERY_MS + 90_000;
    expect(planAfterRenewalFailure(failedAt, endsAt, true)).toEqual({ lapsed: false, endsAt, retryAt: null });
  });

  it('does not plan a retry whose session call could still be running when the session ends', () => {
    const failedAt = endsAt - RENEW_AGAIN_AFTER_MS - SESSION_TIMEOUT_MS / 2;
    expect(planAfterRenewalFailure(failedAt, endsAt, false)).toEqual({ lapsed: false, endsAt, retryAt: null });
  });

  it('does not plan a retry that would start after the session ended', () => {
    const failedAt = endsAt - RENEW_AGAIN_AFTER_MS / 2;
    expect(planAfterRenewalFailure(failedAt, endsAt, false)).toEqual({ lapsed: false, endsAt, retryAt: null });
  });

  it('says the session is over only once it is', () => {
    expect(planAfterRenewalFailure(endsAt, endsAt, false)).toEqual({ lapsed: true });
    expect(planAfterRenewalFailure(endsAt + 1, endsAt, true)).toEqual({ lapsed: true });
  });
});

describe('the renewer', () => {
  const words = { 'settings.sessionExpired': 'session over', 'settings.timedOut': 'no answer in time' };

  /** A renewer whose session calls the test settles by hand, failing `failAt` ms before the session ends. */
  async function failedOnce(failAt: number) {
    const timers = createManualTimers();
    const state = { renewal: null as { retryAt: number | null; endsAt: number } | null, error: '', words };
    let endsAt = timers.now() + failAt;
    const calls: Array<{ resolve: () => void; reject: (error: Error) => void }> = [];
    let auth: { memberId: string; accessToken: string } | null = { memberId: 'member', accessToken: 'auth' };
    const renew = createRenewer({
      portalAuth: async () => auth,
      startSession: () =>
        new Promise<void>((resolve, reject) => {
          calls.push({
            resolve: () => {
              endsAt = sessionEndOf(timers.now());
              resolve();
            },
            reject,
          });
        }),
      sessionEndsAt: () => endsAt,
      timers,
      state,
    });
    void renew();
    await settle();
    calls[0]?.reject(new Error('no answer in time'));
    await settle();
    return { timers, state, calls, renew, endsAt, noAuth: () => (auth = null) };
  }

  it('keeps the tabs when the session ends while its retry runs, and the retry renews it', async () => {
    const { timers, state, calls, endsAt } = await failedOnce(RENEW_AGAIN_AFTER_MS + SESSION_TIMEOUT_MS + 5_000);
    expect(state.renewal).toEqual({ endsAt, retryAt: timers.now() + RENEW_AGAIN_AFTER_MS });
    await timers.advance(RENEW_AGAIN_AFTER_MS);
    expect(calls).toHaveLength(2);
    // The retry is held (a 429's waits) past the end: the end defers to it.
    await timers.advance(endsAt - timers.now());
    expect(state.error).toBe('');
    calls[1]?.resolve();
    await settle();
    expect(state.error).toBe('');
    expect(state.renewal).toBeNull();
    expect(timers.pending()).toBe(0);
  });

  it('says the session is over, in those words, when the retry it waited for fails', async () => {
    const { timers, state, calls, endsAt } = await failedOnce(RENEW_AGAIN_AFTER_MS + SESSION_TIMEOUT_MS + 5_000);
    await timers.advance(RENEW_AGAIN_AFTER_MS);
    await timers.advance(endsAt - timers.now() + 1_000);
    expect(state.error).toBe('');
    calls[1]?.reject(new Error('no answer in time'));
    await settle();
    expect(state.error).toBe('session over');
    expect(state.renewal).toBeNull();
  });

  it('says the session is over at its end when nothing runs then', async () => {
    const { timers, state, calls, endsAt } = await failedOnce(RENEW_AGAIN_AFTER_MS);
    expect(state.renewal).toEqual({ endsAt, retryAt: null });
    await timers.advance(endsAt - timers.now() - 1);
    expect(state.error).toBe('');
    await timers.advance(1);
    expect(calls).toHaveLength(1);
    expect(state.error).toBe('session over');
  });

  it('takes no portal token for a failure, not a success', async () => {
    const { timers, state, calls, endsAt, noAuth } = await failedOnce(10 * 60_000);
    noAuth();
    await timers.advance(RENEW_AGAIN_AFTER_MS);
    expect(calls).toHaveLength(1);
    // The notice no longer promises a retry, and the end still comes.
    expect(state.renewal).toEqual({ endsAt, retryAt: null });
    await timers.advance(endsAt - timers.now());
    expect(state.error).toBe('session over');
  });
});
