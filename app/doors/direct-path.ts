import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * The body's declared length when a door's direct path can read it as body-parser would and get
 * the same bytes: a POST to exactly `path`, a Content-Type spelt as one of `types`, a declared
 * length within `limit`, no content or transfer encoding. Null for anything else (chunked, gzip,
 * other types or charsets, a query string): the door's Express route serves those, with every check it has.
 */
export function plainBodyLength(
  req: IncomingMessage,
  path: string,
  types: ReadonlySet<string>,
  limit: number,
): number | null {
  if (req.method !== 'POST' || req.url !== path) return null;
  const { headers } = req;
  const type = headers['content-type'];
  if (type === undefined || !types.has(type) || headers['content-encoding'] !== undefined) return null;
  if (headers['transfer-encoding'] !== undefined) return null;
  const length = Number(headers['content-length']);
  return Number.isSafeInteger(length) && length > 0 && length <= limit ? length : null;
}

/** An error as body-parser passes on raw-body's (http-errors' shape: status, `type`, exposed). */
function readError(message: string, type: string, extra: Record<string, unknown>): Error {
  return Object.assign(new Error(message), { status: 400, statusCode: 400, expose: true, type, ...extra });
}

/** A body read: its bytes, or the error body-parser would pass on instead. */
export type BodyOutcome = { raw: Buffer } | { error: Error };

/**
 * Reads `length` bytes as raw-body does for body-parser, and calls `done` once with them or with
 * the error body-parser would pass on (an aborted upload, a stream error: 400). A request that
 * closes without either is left, as raw-body leaves it.
 */
export function readBody(req: IncomingMessage, length: number, done: (outcome: BodyOutcome) => void): void {
  // Inline listeners and a class, not named closures: tsx names each one it builds, per request.
  const read = new BodyRead(req, length, done);
  req.on('data', (chunk: Buffer) => read.add(chunk));
  req.on('end', () => read.end());
  req.on('aborted', () => read.aborted());
  req.on('error', (error: Error) => read.failed(error));
}

/** One body being read; every event after the first outcome is a no-op (listeners stay until the request is gone). */
class BodyRead {
  private readonly chunks: Buffer[] = [];
  private received = 0;
  private settled = false;

  constructor(
    private readonly req: IncomingMessage,
    private readonly length: number,
    private readonly done: (outcome: BodyOutcome) => void,
  ) {}

  add(chunk: Buffer): void {
    if (this.settled) return;
    this.received += chunk.length;
    this.chunks.push(chunk);
  }

  end(): void {
    // Node's parser ends a body only after its declared length (a short one is 'aborted'): all of it is here.
    const { chunks, received } = this;
    const only = chunks.length === 1 ? chunks[0] : undefined;
    this.settle({ raw: only ?? Buffer.concat(chunks, received) });
  }

  aborted(): void {
    const extra = { code: 'ECONNABORTED', expected: this.length, length: this.length, received: this.received };
    this.settle({ error: readError('request aborted', 'request.aborted', extra) });
  }

  failed(error: Error): void {
    // A late error (after the body was read or the upload aborted) is none of this read's business.
    if (this.settled) return;
    const own = Reflect.get(error, 'status') ?? Reflect.get(error, 'statusCode');
    const exposed =
      typeof own === 'number' ? error : Object.assign(error, { status: 400, statusCode: 400, expose: true });
    this.settle({ error: exposed });
  }

  private settle(outcome: BodyOutcome): void {
    if (this.settled) return;
    this.settled = true;
    // The listeners keep this alive as long as the request: let go of the chunks (the body, up to a few MiB).
    this.chunks.length = 0;
    // The rest of a failed request is read off, as body-parser does; unlike body-parser, the error is
    // passed on at once, not after the last byte: it answers the same, only maybe before the upload ends
    // (an aborted upload, the usual case, has no rest to wait for).
    if ('error' in outcome) this.req.resume();
    this.done(outcome);
  }
}

/** A Node request listener (what `http.createServer` takes; an Express app is one). */
export type RequestListener = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * A door's direct path: a request `lengthOf` accepts (see plainBodyLength) is read here and its
 * bytes passed to `serve`; every other request goes to `others` as it came. A read that fails, and
 * whatever `serve` rejects with, goes to `fail` (which hands it to the door's Express route, to be
 * answered as Express answers a handler's rejection).
 */
export function directPath(
  lengthOf: (req: IncomingMessage) => number | null,
  serve: (req: IncomingMessage, res: ServerResponse, raw: Buffer) => Promise<void>,
  fail: (req: IncomingMessage, res: ServerResponse, error: unknown) => void,
  others: RequestListener,
): RequestListener {
  return (req, res) => {
    const length = lengthOf(req);
    if (length === null) return others(req, res);
    readBody(req, length, (outcome) => {
      if ('error' in outcome) fail(req, res, outcome.error);
      else serve(req, res, outcome.raw).catch((failure: unknown) => fail(req, res, failure));
    });
  };
}

const JSON_UTF8 = 'application/json; charset=utf-8';

/**
 * A door's 200 with a JSON body, written whole (what res.json answers, less its ETag: a SHA-1 of
 * the body, of no use to a POST nobody caches). The same bytes from a direct path and from Express.
 */
export function answerJson(res: ServerResponse, value: unknown): void {
  const answer = JSON.stringify(value);
  res.writeHead(200, { 'content-type': JSON_UTF8, 'content-length': Buffer.byteLength(answer) }).end(answer);
}
