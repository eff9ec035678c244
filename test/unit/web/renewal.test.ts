import { PAGE_SESSION_TTL_MS } from '../../../portals/page-session';
import { createPageApi, type PageApiState, SESSION_TIMEOUT_MS } from '../../../web/src/page-api';
import { oneAtATime, RENEW_EVERY_MS, RENEWAL_BUDGET_MS, renewalFailureText } from '../../../web/src/renewal';
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
    const failures: unknown[] = [];
    const renew = oneAtATime(
      () => api.startSession('member', 'auth'),
      (error) => {
        failures.push(error);
        state.error = renewalFailureText(error, state.words);
      },
    );

    void renew();
    await settle();
    expect(asked).toBe(1);
    // The next tick while it hangs: never two at once.
    void renew();
    await settle();
    expect(asked).toBe(1);

    await timers.advance(SESSION_TIMEOUT_MS);
    expect(failures).toHaveLength(1);
    expect(state.error).toBe('no answer in time');
    void renew();
    await settle();
    expect(asked).toBe(2);
  });
});
