// The page's calls to its server (JSON, Bearer: no cookie in the iframe) through the retry gate
// (retry-after.ts), the session renewal given up after SESSION_TIMEOUT_MS, and the session door's
// answer checked before it replaces the page's session. No DOM or Vue here: the state, the gate, fetch and the
// timeout come in (session.ts wires the browser's; test/unit/web/page-api.test.ts its own).
import { parseImfFixdate } from './http-date';
import { type RetryGate, retryAfterMs, throughGate } from './retry-after';

/**
 * How long the session call may take before the page gives it up: a renewal that never settles (a
 * half-open connection, a proxy holding it) must not hold every later one for ever (frame.ts). The
 * server's own `profile` call gives up after 10 s (bitrix/user-profile.ts). Only the session call:
 * the API's writes may rightly take longer (connecting a Green-API line waits for two of its calls
 * of 15 s each, attaching an open line for Bitrix24's), and the server bounds them itself.
 */
export const SESSION_TIMEOUT_MS = 20_000;

/** The session door's answer (`/api/session`, app/doors/settings-page-door.ts sessionView). */
export interface PageSession {
  token: string;
  admin: boolean;
  queues: boolean;
  userName: string;
  timeZone: string;
  lang: 'ru' | 'en';
  words: Record<string, string>;
}

/** What the calls read and write of the page's state. */
export interface PageApiState extends PageSession {
  api: string;
  error: string;
}

export interface PageApiDeps {
  state: PageApiState;
  gate: RetryGate;
  fetch: (url: string, init: RequestInit) => Promise<Response>;
  /** A signal that aborts `ms` from now (the browser's AbortSignal.timeout): the session call's. */
  timeoutSignal(ms: number): AbortSignal;
  /** The browser's clock: an HTTP-date Retry-After is measured from it when the answer has no Date. */
  now(): number;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** A 429's wait (its Retry-After, bounded): the call goes again after it. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The session door's answer when it has every field of the right type, else undefined. Checked by
 * hand, not with zod: the page's bundle has no zod, and this is its one structured answer it keeps.
 */
export function sessionAnswerOf(json: unknown): PageSession | undefined {
  if (!isRecord(json)) return undefined;
  const { token, admin, queues, userName, timeZone, lang, words } = json;
  if (typeof token !== 'string' || token === '') return undefined;
  if (typeof admin !== 'boolean' || typeof queues !== 'boolean') return undefined;
  if (typeof userName !== 'string' || typeof timeZone !== 'string') return undefined;
  if (lang !== 'ru' && lang !== 'en') return undefined;
  if (!isRecord(words) || !Object.values(words).every((word) => typeof word === 'string')) return undefined;
  // Every value was checked to be a string just above.
  return { token, admin, queues, userName, timeZone, lang, words: words as Record<string, string> };
}

/**
 * An error's name, read by name and not by instanceof: an error of another realm (the fetch's, a
 * DOMException, which is no Error subclass everywhere) is not an instance of this one's classes.
 */
const nameOf = (error: unknown): unknown => (isRecord(error) || error instanceof Error ? error.name : undefined);

/** The page's JSON calls and its session door on `deps`. */
export function createPageApi(deps: PageApiDeps) {
  const { state } = deps;
  const badAnswer = (status: number) =>
    new ApiError(status, 'bad_answer', state.words['settings.badAnswer'] ?? `HTTP ${status}: not the expected answer`);

  /**
   * The wait a refused answer asks for: only a 429 is retried, any method, since the server did
   * nothing with it: the app's one 429 on these doors comes before any effect (session-rate-limit.ts
   * takeSessionRequest, before `profile`), a proxy's before forwarding (RFC 6585). A limiter placed
   * after a write would make this retry apply the write twice.
   */
  const waitOfResponse = (response: Response): number | undefined =>
    response.status === 429
      ? retryAfterMs(response.headers.get('Retry-After'), parseImfFixdate(response.headers.get('Date')) ?? deps.now())
      : undefined;
  const waitOf = (error: unknown): number | undefined => (error instanceof ApiError ? error.retryAfterMs : undefined);

  /**
   * The answer's JSON; a body that is not JSON: undefined (an error page of a proxy). A body whose
   * reading failed (the session call's timeout, a reset connection) fails the call as such.
   */
  const jsonOf = async (response: Response): Promise<unknown> => {
    try {
      return await response.json();
    } catch (error) {
      if (nameOf(error) === 'SyntaxError') return undefined;
      throw error;
    }
  };
  /** The session call's timeout in the catalogue's words, not the browser's ("signal timed out"). */
  const timedOut = (error: unknown): unknown =>
    nameOf(error) === 'TimeoutError' || nameOf(error) === 'AbortError'
      ? new ApiError(0, 'timeout', state.words['settings.timedOut'] ?? 'settings.timedOut')
      : error;
  /** The refusal a failed answer (not 2xx) stands for, in the server's words when it gave some. */
  const refusalOf = (response: Response, json: unknown, code: string): ApiError => {
    const error = isRecord(json) && isRecord(json.error) ? json.error : {};
    const message = typeof error.message === 'string' ? error.message : `HTTP ${response.status}`;
    const errorCode = code || (typeof error.code === 'string' ? error.code : 'http_error');
    return new ApiError(response.status, errorCode, message, waitOfResponse(response));
  };

  async function callOnce<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await deps.fetch(`${state.api}${path}`, {
      method,
      headers: {
        Authorization: `Bearer ${state.token}`,
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = await jsonOf(response);
    if (!response.ok) throw refusalOf(response, json, '');
    if (json === undefined) throw badAnswer(response.status);
    // The API's answers are typed by their callers (lines.ts, the tabs); only the session is kept here.
    return json as T;
  }

  /** The session door's answer and its JSON, given up after SESSION_TIMEOUT_MS. */
  async function askSession(memberId: string, authId: string): Promise<[Response, unknown]> {
    try {
      const response = await deps.fetch(`${state.api}/session`, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          ...(state.token ? { Authorization: `Bearer ${state.token}` } : {}),
        },
        body: JSON.stringify({ member_id: memberId, AUTH_ID: authId, LANG: state.lang }),
        signal: deps.timeoutSignal(SESSION_TIMEOUT_MS),
      });
      return [response, await jsonOf(response)];
    } catch (error) {
      throw timedOut(error);
    }
  }

  async function startSessionOnce(memberId: string, authId: string): Promise<void> {
    const [response, json] = await askSession(memberId, authId);
    if (!response.ok) throw refusalOf(response, json, 'session');
    // A 200 that is not a session (a proxy's page, a cut body) is a failed renewal: the page keeps its own.
    const session = sessionAnswerOf(json);
    if (!session) throw badAnswer(response.status);
    Object.assign(state, session, { error: '' });
  }

  return {
    /**
     * One JSON call of the page's API: it waits while the gate is closed (a click during a wait
     * asks only when it ends) and, refused with 429, waits its Retry-After and goes again.
     */
    call<T>(method: string, path: string, body?: unknown): Promise<T> {
      return throughGate(deps.gate, () => callOnce<T>(method, path, body), waitOf);
    },
    /**
     * Trades a frame SDK token for a page session (the page opened without the portal's POST, or a
     * renewal). A renewal sends the session it has: proof it signed in, so requests that merely name
     * the portal cannot keep it out (the server's per-portal window), even from a new address.
     */
    startSession(memberId: string, authId: string): Promise<void> {
      return throughGate(deps.gate, () => startSessionOnce(memberId, authId), waitOf);
    },
  };
}
