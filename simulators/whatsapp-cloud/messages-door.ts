/**
 * How `POST /{version}/{phone-number-id}/messages` reaches send-route.ts: the plain requests a
 * sender makes (a body of declared length, not compressed) are read and answered on the bare http
 * server; any other request to it goes through express as every other route does. Both ways run
 * the same checks (handleMessages) and answer the same JSON: only express's router, body parser
 * and response helpers are skipped, which were most of the simulator's CPU per send in the bench
 * (it shares 2 cores with the app it measures; issue 10).
 */
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { NextFunction, Request, Response } from 'express';
import { handleMessages, messagesPathId } from './send-route';
import type { CloudState } from './state';

/** The body limit of the simulator's express.raw (20 MB); a larger body is refused by express (413). */
export const BODY_LIMIT_BYTES = 20 * 1024 * 1024;

const JSON_TYPE = 'application/json; charset=utf-8';

/** What express's `res.status(status).json(payload)` sends (no ETag, no X-Powered-By: both off). */
function answerJson(res: ServerResponse, status: number, payload: unknown): void {
  const json = JSON.stringify(payload);
  res.writeHead(status, { 'Content-Type': JSON_TYPE, 'Content-Length': Buffer.byteLength(json) });
  res.end(json);
}

/**
 * The phone number id of a `/messages` POST that can skip express: a plain path, a declared
 * length within the limit, no content coding (express.raw inflates gzip/deflate/br and refuses
 * others with 415), no chunked body. Undefined for every other request.
 */
export function directMessagesId(req: IncomingMessage): string | undefined {
  if (req.method !== 'POST') return undefined;
  const url = req.url ?? '';
  // Express reads a URL holding '#' or '\\' with its older parser (fragment dropped, '\\' as '/'):
  // such a path is left to it, so both ways always see the same id.
  if (!url.startsWith('/') || url.includes('#') || url.includes('\\')) return undefined;
  const query = url.indexOf('?');
  const id = messagesPathId(query === -1 ? url : url.slice(0, query));
  if (id === undefined) return undefined;
  const { headers } = req;
  const coding = headers['content-encoding'];
  if (coding !== undefined && coding.trim().toLowerCase() !== 'identity') return undefined;
  const length = headers['content-length'];
  if (headers['transfer-encoding'] !== undefined || length === undefined || !/^[0-9]+$/.test(length)) return undefined;
  return Number(length) <= BODY_LIMIT_BYTES ? id : undefined;
}

/** The http server's handler: plain `/messages` POSTs answered here, the rest handed to `app`. */
export function withDirectMessages(state: CloudState, app: RequestListener): RequestListener {
  return (req: IncomingMessage, res: ServerResponse) => {
    const id = directMessagesId(req);
    if (id === undefined) {
      app(req, res);
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const authorization = String(req.headers.authorization ?? '');
      try {
        handleMessages(state, id, authorization, Buffer.concat(chunks), (status, payload) =>
          answerJson(res, status, payload),
        );
      } catch (err) {
        // A simulator bug, answered as express's error handler would (a 500), never a crash.
        if (res.headersSent) return;
        res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' });
        res.end(err instanceof Error ? (err.stack ?? err.message) : String(err));
      }
    });
  };
}

/** The same route in express, for the requests `directMessagesId` leaves to it (after express.raw). */
export function messagesMiddleware(state: CloudState) {
  return (req: Request, res: Response, next: NextFunction) => {
    const id = req.method === 'POST' ? messagesPathId(req.path) : undefined;
    if (id === undefined) return next();
    const authorization = String(req.headers.authorization ?? '');
    handleMessages(state, id, authorization, req.body as unknown, (status, payload) =>
      res.status(status).json(payload),
    );
  };
}
