// The page's state: session token, words, and the JSON calls (Bearer: no cookie in the iframe).
import { reactive } from 'vue';
import { readBoot } from './boot';
import { createPageApi } from './page-api';
import { createRetryGate, type GateTimers } from './retry-after';

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
  /**
   * A renewal failed while the session is still good (frame.ts): when the page tries again (null:
   * it does not) and when the session ends. The tabs stay; the page says so.
   */
  renewal: null as { retryAt: number | null; endsAt: number } | null,
});

/** The browser's clock and timers, as the gate and the renewal take them. */
export const pageTimers: GateTimers = {
  now: () => Date.now(),
  schedule(run, ms) {
    const timer = setTimeout(run, ms);
    return () => clearTimeout(timer);
  },
};

/** The one gate of the page's calls (retry-after.ts): one timer, however many calls were refused. */
const gate = createRetryGate(pageTimers, (until) => {
  state.retryAt = until;
});

/** A word of the catalogue with `{name}` placeholders filled. */
export function w(key: string, vars: Record<string, string | number> = {}): string {
  const text = state.words[`settings.${key}`] ?? key;
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => (name in vars ? String(vars[name]) : whole));
}

/** The zone the page's times are in: the portal's (else its user's) Bitrix24 zone, else the browser's. */
export function timeZoneName(): string {
  return state.timeZone || Intl.DateTimeFormat().resolvedOptions().timeZone;
}

/** A time in timeZoneName()'s zone; `clock`: the time of day alone (a wait of minutes). */
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

const api = createPageApi({
  state,
  gate,
  fetch: (url, init) => fetch(url, init),
  timeoutSignal: (ms) => AbortSignal.timeout(ms),
  now: () => Date.now(),
});

/** One JSON call of the page's API, through the retry gate (page-api.ts). */
export const call = api.call;
/** A page session from a frame SDK token (the first, or a renewal), through the retry gate (page-api.ts). */
export const startSession = api.startSession;
