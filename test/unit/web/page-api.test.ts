import {
  ApiError,
  createPageApi,
  type PageApiState,
  SESSION_TIMEOUT_MS,
  sessionAnswerOf,
} from '../../../web/src/page-api';
import { createRetryGate, RETRY_AFTER_TRIES } from '../../../web/src/retry-after';
import { createManualTimers, settle } from '../../helpers/manual-timers';

const session = {
  token: 'new-session',
  admin: true,
  queues: false,
  userName: 'Ann',
  timeZone: 'Europe/Moscow',
  lang: 'en',
  words: { 'settings.title': 'Settings' },
};
const words = {
  'settings.badAnswer': 'unreadable answer',
  'settings.sessionExpired': 'session expired',
  'settings.timedOut': 'no answer in time',
};
type Answer = (url: string, init: RequestInit) => Promise<Response>;
const json = (body: unknown, status = 200, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json', ...headers } });

/** The page's calls on hand-moved timers, a fetch that answers `answer`, and the page's state they write. */
function pageOf(answer: Answer) {
  const timers = createManualTimers();
  const state: PageApiState & { retryAt: number | null } = {
    ...{ token: 'old-session', admin: false, queues: false, userName: 'Old', timeZone: '', lang: 'en' },
    words,
    api: '/api',
    error: '',
    retryAt: null,
  };
  const gate = createRetryGate(timers, (until) => {
    state.retryAt = until;
  });
  const requests: string[] = [];
  const fetch: Answer = (url, init) => {
    requests.push(url);
    return answer(url, init);
  };
  const api = createPageApi({ state, gate, fetch, timeoutSignal: timers.timeoutSignal, now: timers.now });
  return { timers, state, gate, api, requests };
}

describe("the page's session answer", () => {
  it('keeps the page session when a 200 is not a session: the renewal fails instead', async () => {
    const notSessions: Array<() => Response> = [
      () => new Response('<html>captive portal</html>', { status: 200, headers: { 'Content-Type': 'text/html' } }),
      () => new Response('', { status: 200 }),
      () => json({}),
      () => json({ ...session, words: undefined }),
      () => json({ ...session, token: '' }),
      () => json({ ...session, lang: 'de' }),
      () => json({ ...session, admin: 'yes' }),
      () => json({ ...session, words: { 'settings.title': 7 } }),
    ];
    for (const notSession of notSessions) {
      const { api, state } = pageOf(async () => notSession());
      const failure = await api.startSession('member', 'auth').catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(ApiError);
      expect(failure).toMatchObject({ code: 'bad_answer', message: 'unreadable answer' });
      expect(state).toMatchObject({ token: 'old-session', userName: 'Old', words });
    }
  });

  it('takes a whole session answer, and clears an earlier error', async () => {
    const { api, state } = pageOf(async () => json(session));
    state.error = 'session expired';
    await api.startSession('member', 'auth');
    expect(state).toMatchObject({ ...session, error: '' });
    expect(sessionAnswerOf(session)).toEqual(session);
    expect(sessionAnswerOf([session])).toBeUndefined();
  });

  it('fails a JSON call whose 200 is not JSON instead of answering an empty object', async () => {
    const { api } = pageOf(async () => new Response('<html>proxy</html>', { status: 200 }));
    await expect(api.call('GET', '/lines')).rejects.toMatchObject({ code: 'bad_answer' });
  });
});

describe('refusals of the session door', () => {
  it('after the last refused try says nothing of a retry: the gate is open and the page says what to do', async () => {
    const { api, state, gate, timers, requests } = pageOf(async () =>
      json({ error: { code: 'rate_limited', message: 'Too many requests' } }, 429, { 'Retry-After': '1' }),
    );
    const renewal = api.startSession('member', 'auth').catch((error: unknown) => error);
    await timers.advance(0);
    // The wait of the first refusal: the page says when it tries again.
    expect(state.retryAt).toBe(timers.now() + 1000);
    for (let i = 1; i < RETRY_AFTER_TRIES; i += 1) await timers.advance(1000);
    const failure = await renewal;
    expect(requests).toHaveLength(RETRY_AFTER_TRIES);
    expect(failure).toMatchObject({ status: 429 });
    expect(state.retryAt).toBeNull();
    expect(gate.until()).toBeNull();
    expect(state.token).toBe('old-session');
  });

  it("measures an HTTP-date Retry-After from the answer's Date, not the browser's clock", async () => {
    // The browser's clock is an hour ahead of the server's: the date is still 5 s away for the server.
    const { api, state, timers } = pageOf(async () => {
      const serverNow = timers.now() - 3600_000;
      return json({ error: { code: 'rate_limited', message: 'Too many' } }, 429, {
        Date: new Date(serverNow).toUTCString(),
        'Retry-After': new Date(serverNow + 5000).toUTCString(),
      });
    });
    const renewal = api.startSession('member', 'auth').catch((error: unknown) => error);
    await timers.advance(0);
    expect(state.retryAt).toBe(timers.now() + 5000);
    for (let i = 1; i < RETRY_AFTER_TRIES; i += 1) await timers.advance(5000);
    expect(await renewal).toBeInstanceOf(ApiError);
  });
});

describe("the page's timeout", () => {
  /** A fetch that answers only when the test says, and gives up when its signal (if any) aborts. */
  function slowServer() {
    const pending: Array<{ url: string; signal: AbortSignal | undefined; answer: (response: Response) => void }> = [];
    const answer: Answer = (url, init) =>
      new Promise<Response>((resolve, reject) => {
        const signal = init.signal ?? undefined;
        pending.push({ url, signal, answer: resolve });
        signal?.addEventListener('abort', () => reject(signal.reason));
      });
    return { pending, answer };
  }

  it('does not give up a slow write (a Green-API line takes ~30 s to connect): the server bounds it', async () => {
    const server = slowServer();
    const { api, timers } = pageOf(server.answer);
    let settled = false;
    const connected = api.call<{ id: string }>('POST', '/lines', { id: 'line-1' }).finally(() => {
      settled = true;
    });
    await settle();
    expect(server.pending).toHaveLength(1);
    await timers.advance(SESSION_TIMEOUT_MS * 3);
    expect(settled).toBe(false);
    expect(server.pending[0]?.signal?.aborted ?? false).toBe(false);
    server.pending[0]?.answer(json({ id: 'line-1' }, 201));
    await expect(connected).resolves.toEqual({ id: 'line-1' });
  });

  it("gives up a hung session call, in the catalogue's words", async () => {
    const server = slowServer();
    const { api, state, timers } = pageOf(server.answer);
    const renewal = api.startSession('member', 'auth').catch((error: unknown) => error);
    await settle();
    await timers.advance(SESSION_TIMEOUT_MS);
    const failure = await renewal;
    expect(failure).toMatchObject({ code: 'timeout', message: 'no answer in time' });
    expect(state.token).toBe('old-session');
  });
});
