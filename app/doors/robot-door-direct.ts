import type { IncomingMessage, ServerResponse } from 'node:http';
import { endpoints } from '../../config/endpoints';
import { BODY_LIMIT, FORM_TYPE, utf8FormFields } from '../middleware/body-parsers';
import { applicationAuthSchema } from '../middleware/verify-application-token';
import {
  answerQueued,
  handOver,
  queueRobotCall,
  type RequestListener,
  type RobotDoorDeps,
  type RobotDoorHost,
  robotCallSchema,
} from './robot-door';

/**
 * The envelope and the auth block the token check reads, in one pass: a call passes it exactly when
 * it passes both the Express door's token check and its envelope schema (a call failing either is
 * handed to that door, which checks them in its order and answers the first failure).
 */
const directCallSchema = robotCallSchema.extend({ auth: applicationAuthSchema });

/** The Content-Types the direct path reads: what Bitrix24 sends. Any other goes to Express as it comes. */
const DIRECT_TYPES: ReadonlySet<string> = new Set([
  FORM_TYPE,
  `${FORM_TYPE}; charset=utf-8`,
  `${FORM_TYPE}; charset=UTF-8`,
]);

/**
 * The body's length when the direct path can read it as body-parser would and get the same bytes:
 * a POST to exactly the robot path, a plain UTF-8 form, a declared length within the limit, no
 * content encoding. Null for anything else (chunked, gzip, JSON, other charsets, a query string):
 * Express' robot door serves those, with every check it has.
 */
function directLength(req: IncomingMessage): number | null {
  if (req.method !== 'POST' || req.url !== endpoints.robot) return null;
  const { headers } = req;
  const type = headers['content-type'];
  if (type === undefined || !DIRECT_TYPES.has(type) || headers['content-encoding'] !== undefined) return null;
  if (headers['transfer-encoding'] !== undefined) return null;
  const length = Number(headers['content-length']);
  return Number.isSafeInteger(length) && length > 0 && length <= BODY_LIMIT ? length : null;
}

/** An error as body-parser passes on raw-body's (http-errors' shape: status, `type`, exposed). */
function readError(message: string, type: string, extra: Record<string, unknown>): Error {
  return Object.assign(new Error(message), { status: 400, statusCode: 400, expose: true, type, ...extra });
}

/** A body read: its bytes, or the error body-parser would pass on instead. */
type BodyOutcome = { raw: Buffer } | { error: Error };

/**
 * Reads `length` bytes as raw-body does for body-parser, and calls `done` once with them or with
 * the error body-parser would pass on (an aborted upload, a stream error: 400). A request that
 * closes without either is left, as raw-body leaves it.
 */
function readBody(req: IncomingMessage, length: number, done: (outcome: BodyOutcome) => void): void {
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
    // The listeners keep this alive as long as the request: let go of the chunks (the body, up to 2 MiB).
    this.chunks.length = 0;
    // The rest of a failed request is read off, as body-parser does; unlike body-parser, the error is
    // passed on at once, not after the last byte: it answers the same, only maybe before the upload ends
    // (an aborted upload, the usual case, has no rest to wait for).
    if ('error' in outcome) this.req.resume();
    this.done(outcome);
  }
}

/**
 * The robot door for the calls a portal sends, straight from Node's HTTP server: the same checks,
 * answers and job as the Express door (robot-door.ts), without Express' router, request setup and
 * body reader in the way (in the bench they were almost half of the web process' CPU per call). Only the plain case
 * is served here: a call refused for any reason, and any request it does not read, goes to
 * `express` (for a call already read, with what was read: see handOver), which answers and logs it
 * exactly as before.
 */
export function createRobotDoorDirect(deps: RobotDoorDeps, express: RobotDoorHost): RequestListener {
  const serve = async (req: IncomingMessage, res: ServerResponse, raw: Buffer): Promise<void> => {
    const body = utf8FormFields(raw);
    const call = directCallSchema.safeParse(body);
    if (!call.success) {
      // Refused: the Express door checks it in its order, counts, logs (with the client's address) and answers.
      handOver(req, { body, tokenRefused: false });
      return express(req, res);
    }
    const { auth } = call.data;
    if (!(await deps.portals.authenticate(auth.member_id, auth.application_token))) {
      // The Express door counts, logs and answers the refusal, taking the store's word given here.
      handOver(req, { body, tokenRefused: true });
      return express(req, res);
    }
    answerQueued(res, await queueRobotCall(deps, auth.member_id, call.data));
  };
  // Whatever fails on the way is the Express door's to answer, as Express passes a handler's rejection on.
  const fail = (req: IncomingMessage, res: ServerResponse, error: unknown) => {
    handOver(req, { error });
    express(req, res);
  };
  return (req, res) => {
    const length = directLength(req);
    if (length === null) return express(req, res);
    readBody(req, length, (outcome) => {
      if ('error' in outcome) fail(req, res, outcome.error);
      else serve(req, res, outcome.raw).catch((failure: unknown) => fail(req, res, failure));
    });
  };
}
