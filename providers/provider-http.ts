import { Agent, type Dispatcher } from 'undici';

/**
 * One keep-alive connection pool per process for provider calls on the send path. Requests go
 * straight to the pool's `dispatch` with a handler that collects the answer: not the global
 * `fetch` (WHATWG streams, abort signals, Response objects: once the largest single cost of a sent
 * message in the worker's CPU profile, issue 10), nor `undici.request` (a Readable body and an
 * async resource per call) — the same client and errors underneath.
 */
const agent = new Agent({ keepAliveTimeout: 30_000, connections: 128 });

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

/** Collects one answer: its status, Retry-After and body. */
class AnswerCollector implements Dispatcher.DispatchHandler {
  private status = 0;
  private retryAfter: string | null = null;
  private readonly chunks: Buffer[] = [];

  constructor(
    private readonly resolve: (answer: ProviderAnswer) => void,
    private readonly reject: (error: Error) => void,
  ) {}

  onConnect(): void {}

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
    this.chunks.push(chunk);
    return true;
  }

  onComplete(): void {
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
    this.reject(error);
  }
}

/**
 * POSTs a JSON body and reads the whole answer. `timeoutMs` bounds the wait for the answer's
 * headers and then for its body (undici's own timers: no AbortSignal per call). Network failures
 * reject with undici's errors, whose `code` fetch-failure.ts reads.
 */
export function postJson(
  url: string,
  headers: Record<string, string>,
  body: unknown,
  timeoutMs: number,
): Promise<ProviderAnswer> {
  const { origin, path } = targetOf(url);
  return new Promise((resolve, reject) => {
    agent.dispatch(
      {
        origin,
        path,
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json' },
        body: JSON.stringify(body),
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
      },
      new AnswerCollector(resolve, reject),
    );
  });
}
