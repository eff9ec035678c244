import { Agent, type Dispatcher } from 'undici';
import { ActionError } from '../lib/errors/app-error';
import { errorMessage } from '../lib/errors/classify-error';
import { LINE_SLOT_IN_FLIGHT_MS } from '../redis/rate-scripts';
import { fetchFailure } from './fetch-failure';

/**
 * The keep-alive connection pool's shape for provider calls on the send path: the runtime builds
 * one per process (runtime/outbound-connections.ts) and closes it with the others. Requests go
 * straight to the pool's `dispatch` with a handler that collects the answer: not the global
 * `fetch` (WHATWG streams, abort signals, Response objects: once the largest single cost of a sent
 * message in the worker's CPU profile, issue 10), nor `undici.request` (a Readable body and an
 * async resource per call) — the same client and errors underneath.
 */
export const SEND_POOL_OPTIONS = { keepAliveTimeout: 30_000, connections: 128 } as const;

/** The pool of a caller that passes none (the bench's floor, tests without a runtime): built once, never closed. */
let ownPool: Agent | undefined;
function defaultPool(): Agent {
  ownPool ??= new Agent(SEND_POOL_OPTIONS);
  return ownPool;
}

export interface ProviderAnswer {
  status: number;
  /** The Retry-After header when present. */
  retryAfter: string | null;
  /** The parsed JSON body, or null when the body is empty or not JSON. */
  json: unknown;
}

/** A URL split as `dispatch` takes it; the few a process calls (one per line) are split once. */
const targets = new Map<string, { origin: string; path: string }>();

function targetOf(url: string): { origin: string; path: string } {
  const known = targets.get(url);
  if (known) return known;
  const parsed = new URL(url);
  const target = { origin: parsed.origin, path: `${parsed.pathname}${parsed.search}` };
  if (targets.size >= 1000) targets.clear();
  targets.set(url, target);
  return target;
}

/** A larger answer is not read: a messages endpoint answers a few hundred bytes, so it is not the provider's. */
export const MAX_ANSWER_BYTES = 1 << 20;

/**
 * How long after the line slot was taken a send's exchange (a wait in the busy pool, connect,
 * headers, body) may still run: below the slot's in-flight lease. LineSender.withSlot counts it from
 * before the take (the lease starts later, at the take's Redis TIME) and hands the end on as the
 * send's `deadlineAt`; sendBudgetMs cuts every send's timeout to it. So whatever delayed the call
 * after the take, its slot does not lapse while the request may still reach the provider; only a
 * timer firing late (a process starved of CPU) eats into the 5 s margin. Number checks run in a slot
 * too but keep their own, shorter timeout (15 s).
 */
export const MAX_EXCHANGE_MS = LINE_SLOT_IN_FLIGHT_MS - 5000;

/** Less time than this left before the deadline: the send is refused before it goes out (it would only end "maybe sent"). */
export const MIN_SEND_BUDGET_MS = 1000;

/**
 * The time a send's exchange may take: its own timeout, cut to the slot's `deadlineAt` (app clock
 * ms). With under MIN_SEND_BUDGET_MS left it throws a retryable provider_unavailable: nothing went out.
 */
export function sendBudgetMs(timeoutMs: number, deadlineAt: number | undefined, now: number): number {
  const budget = Math.min(timeoutMs, MAX_EXCHANGE_MS, deadlineAt === undefined ? timeoutMs : deadlineAt - now);
  if (budget < MIN_SEND_BUDGET_MS)
    throw new ActionError('provider_unavailable', `the line slot's lease ends in ${budget} ms: not sent`, {
      retryable: true,
      outcomeUnknown: false,
    });
  return budget;
}

/** The whole exchange took longer than its deadline; `reached` = the request had started to go out. */
function deadlineError(ms: number, reached: boolean): ActionError {
  return new ActionError('provider_unavailable', `no whole answer within ${ms} ms`, {
    retryable: true,
    outcomeUnknown: reached,
  });
}

/**
 * The failure of a request that never started to go out: as fetchFailure classes it when that
 * already says "not sent" (a refused address keeps its own code), else a retryable
 * provider_unavailable that is not "maybe sent" (undici's own error, e.g. UND_ERR_DESTROYED, would be).
 */
function unsentError(error: Error): Error {
  if (!fetchFailure(error).outcomeUnknown) return error;
  // undici refused the request itself (a header with a line break from a bad token…): trying again changes nothing.
  if ('code' in error && error.code === 'UND_ERR_INVALID_ARG')
    return new ActionError('provider_error', `not sent: ${errorMessage(error)}`, {
      retryable: false,
      outcomeUnknown: false,
    });
  return new ActionError('provider_unavailable', `not sent: ${errorMessage(error)}`, {
    retryable: true,
    outcomeUnknown: false,
  });
}

/**
 * An answer over MAX_ANSWER_BYTES: the provider, or a proxy or captive page in front of it,
 * misbehaves. Classed by its status as an unreadable answer is: 5xx/429 may pass (retryable),
 * anything else will not; after a 2xx or a 5xx nobody can tell whether the message went out.
 */
function tooLargeError(status: number): ActionError {
  const transient = status >= 500 || status === 429;
  return new ActionError(
    transient ? 'provider_unavailable' : 'provider_error',
    `answer over ${MAX_ANSWER_BYTES} bytes (HTTP ${status})`,
    {
      retryable: transient,
      outcomeUnknown: status < 300 || status >= 500,
    },
  );
}

/**
 * Collects one answer: its status, Retry-After and body, under one deadline and a size cap.
 * It implements undici's legacy handler methods (onConnect, onHeaders, onData, onComplete,
 * onError; `@deprecated` in undici 7's types) on purpose: undici's core still speaks them and
 * calls them directly, where a handler of the new API is wrapped per request and its headers
 * parsed into an object. package.json pins undici's exact version: a major that drops them is
 * a deliberate upgrade, which test/integration/services/provider-http.test.ts then checks.
 */
class AnswerCollector implements Dispatcher.DispatchHandler {
  private status = 0;
  private retryAfter: string | null = null;
  private readonly chunks: Buffer[] = [];
  private bytes = 0;
  private settled = false;
  private abort: ((error: Error) => void) | null = null;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly resolve: (answer: ProviderAnswer) => void,
    private readonly reject: (error: Error) => void,
    deadlineMs: number,
  ) {
    this.timer = setTimeout(() => this.fail(deadlineError(deadlineMs, this.abort !== null)), deadlineMs);
  }

  /** Rejects once and stops the request (still queued: it never goes out, see onConnect). */
  private fail(error: Error): void {
    if (this.settled) return;
    this.settled = true;
    clearTimeout(this.timer);
    this.reject(error);
    this.abort?.(error);
  }

  /** Called as the request starts to go out on a connection. */
  onConnect(abort: (error: Error) => void): void {
    // The deadline passed while it waited in the pool: it goes nowhere.
    if (this.settled) abort(new Error('provider request past its deadline'));
    else this.abort = abort;
  }

  onHeaders(statusCode: number, rawHeaders: Buffer[]): boolean {
    // Informational answers (1xx) come before the real one.
    if (statusCode < 200) return true;
    this.status = statusCode;
    for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
      const name = rawHeaders[i];
      if (name?.length === 11 && name.toString('latin1').toLowerCase() === 'retry-after')
        this.retryAfter = rawHeaders[i + 1]?.toString('latin1') ?? null;
    }
    return true;
  }

  onData(chunk: Buffer): boolean {
    if (this.settled) return false;
    this.bytes += chunk.length;
    if (this.bytes > MAX_ANSWER_BYTES) {
      this.fail(tooLargeError(this.status));
      return false;
    }
    this.chunks.push(chunk);
    return true;
  }

  onComplete(): void {
    if (this.settled) return;
    this.settled = true;
    clearTimeout(this.timer);
    const text =
      this.chunks.length === 1 ? (this.chunks[0]?.toString('utf8') ?? '') : Buffer.concat(this.chunks).toString('utf8');
    let json: unknown = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      json = null;
    }
    this.resolve({ status: this.status, retryAfter: this.retryAfter, json });
  }

  onError(error: Error): void {
    if (this.settled) return;
    this.settled = true;
    clearTimeout(this.timer);
    // Cut before onConnect (still queued for a connection: a pool destroyed at shutdown, a socket
    // lost with requests waiting behind it): not a byte of it was written, so it was not sent.
    this.reject(this.abort === null ? unsentError(error) : error);
  }
}

/**
 * POSTs a JSON body and reads the whole answer. `timeoutMs` (at most MAX_EXCHANGE_MS) bounds the
 * whole exchange: the wait for a connection, the request, the headers and every byte of the body
 * (a body dripped a byte at a time still ends). Past it, or over MAX_ANSWER_BYTES, it rejects with
 * an ActionError; a network failure rejects with undici's error, whose `code` fetch-failure.ts reads
 * (a closed `pool` rejects with a PoolClosedError: nothing sent).
 */
export async function postJson(
  url: string,
  headers: Record<string, string>,
  body: unknown,
  timeoutMs: number,
  pool: Dispatcher = defaultPool(),
): Promise<ProviderAnswer> {
  const { origin, path } = targetOf(url);
  const deadlineMs = Math.min(timeoutMs, MAX_EXCHANGE_MS);
  return new Promise((resolve, reject) => {
    pool.dispatch(
      {
        origin,
        path,
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json' },
        body: JSON.stringify(body),
        // The collector's one deadline bounds it all; undici's per-phase timers are only a backstop.
        headersTimeout: MAX_EXCHANGE_MS,
        bodyTimeout: MAX_EXCHANGE_MS,
      },
      new AnswerCollector(resolve, reject, deadlineMs),
    );
  });
}
