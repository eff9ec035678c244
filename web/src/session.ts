// The page's state: session token, words, and the JSON calls (Bearer: no cookie in the iframe).
import { reactive } from 'vue';
import { readBoot } from './boot';
import { createRetryGate, retryAfterMs, throughGate } from './retry-after';

const boot = readBoot();

export const state = reactive({
  lang: boot.lang,
  words: boot.words,
  token: boot.token ?? '',
  admin: boot.admin ?? false,
  /** Bull Board: admins of the app operator's own portals only (the server checks it too). */
  queues: boot.queues ?? false,
  userName: boot.userName ?? '',
  timeZone: boot.timeZone ?? '',
  api: boot.api,
  error: boot.error ?? '',
  /** Until when the server asked the page to wait (a 429's Retry-After), or null: the page says so. */
  retryAt: null as number | null,
});

/** The one gate of the page's calls (retry-after.ts): one timer, however many calls were refused. */
const gate = createRetryGate(
  {
    now: () => Date.now(),
    schedule(run, ms) {
      const timer = setTimeout(run, ms);
      return () => clearTimeout(timer);
    },
  },
  (until) => {
    state.retryAt = until;
  },
);

/** A word of the catalogue with `{name}` placeholders filled. */
export function w(key: string, vars: Record<string, string | number> = {}): string {
  const text = state.words[`settings.${key}`] ?? key;
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => (name in vars ? String(vars[name]) : whole));
}

/** A time in the user's Bitrix24 time zone (else the browser's); `clock`: the time of day alone (a wait of minutes). */
export function formatTime(ms: number | null | undefined, clock = false): string {
  if (!ms) return w('lines.never');
  const options: Intl.DateTimeFormatOptions = clock
    ? { timeStyle: 'medium' }
    : { dateStyle: 'short', timeStyle: 'medium' };
  if (state.timeZone) options.timeZone = state.timeZone;
  try {
    return new Intl.DateTimeFormat(state.lang, options).format(new Date(ms));
  } catch {
    return clock ? new Date(ms).toLocaleTimeString(state.lang) : new Date(ms).toLocaleString(state.lang);
  }
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

/** The wait a refused answer asks for: only a 429 is retried (the server did nothing with it). */
const waitOfResponse = (response: Response): number | undefined =>
  response.status === 429 ? retryAfterMs(response.headers.get('Retry-After'), Date.now()) : undefined;
const waitOf = (error: unknown): number | undefined => (error instanceof ApiError ? error.retryAfterMs : undefined);

/**
 * A call to the server that waits while the gate is closed (a click during the wait asks only when
 * it ends) and, refused with 429, waits its Retry-After and goes again (retry-after.ts).
 */
function throughRetryGate<T>(attempt: () => Promise<T>): Promise<T> {
  return throughGate(gate, attempt, waitOf);
}

/** One JSON call of the page's API. */
export function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  return throughRetryGate(() => callOnce<T>(method, path, body));
}

async function callOnce<T>(method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(`${state.api}${path}`, {
    method,
    headers: {
      Authorization: `Bearer ${state.token}`,
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = (await response.json().catch(() => ({}))) as { error?: { code: string; message: string } };
  if (!response.ok) {
    const error = json.error ?? { code: 'http_error', message: `HTTP ${response.status}` };
    throw new ApiError(response.status, error.code, error.message, waitOfResponse(response));
  }
  return json as T;
}

/** The verified answer of `/api/session`. */
interface SessionAnswer {
  token: string;
  admin: boolean;
  queues: boolean;
  userName: string;
  timeZone: string;
  lang: 'ru' | 'en';
  words: Record<string, string>;
}

/**
 * Trades a frame SDK token for a page session (the page opened without the portal's POST, or a
 * renewal). A renewal sends the session it has: proof it signed in, so requests that merely name the
 * portal cannot keep it out (the server's per-portal window), even from a new address.
 */
export function startSession(memberId: string, authId: string): Promise<void> {
  return throughRetryGate(() => startSessionOnce(memberId, authId));
}

async function startSessionOnce(memberId: string, authId: string): Promise<void> {
  const response = await fetch(`${state.api}/session`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      ...(state.token ? { Authorization: `Bearer ${state.token}` } : {}),
    },
    body: JSON.stringify({ member_id: memberId, AUTH_ID: authId, LANG: state.lang }),
  });
  const json = (await response.json().catch(() => ({}))) as SessionAnswer & { error?: { message: string } };
  if (!response.ok) {
    const message = json.error?.message ?? `HTTP ${response.status}`;
    throw new ApiError(response.status, 'session', message, waitOfResponse(response));
  }
  Object.assign(state, {
    token: json.token,
    admin: json.admin,
    queues: json.queues,
    userName: json.userName,
    timeZone: json.timeZone,
    lang: json.lang,
    words: json.words,
    error: '',
  });
}
