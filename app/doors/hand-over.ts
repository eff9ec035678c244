import type { IncomingMessage } from 'node:http';
import type { Request, RequestHandler } from 'express';

/**
 * How a door's direct path hands a request to the door's Express route instead of answering it
 * itself: with what it read (`T`: the route takes it up instead of reading the body again, which is
 * gone), or with the error it met (a body read cut short, Redis down: the error handlers answer it).
 * The route's first step is `step`, and the direct path passes the request to the Express app right
 * after `give` or `fail`.
 */
export interface HandOver<T> {
  give(req: IncomingMessage, read: T): void;
  fail(req: IncomingMessage, error: unknown): void;
  /**
   * The route's first step: a handed-over error goes to the error handlers, a handed-over read to
   * `take` (which sets `req.body`, the body parsers then pass over the finished request); a request
   * not handed over passes as it came.
   */
  step(take: (req: Request, read: T) => void): RequestHandler;
}

/** Tagged, so no shape of `T` (one with an `error` field too) can pass for an error or the reverse. */
type Handed<T> = { kind: 'read'; read: T } | { kind: 'error'; error: unknown };

export function createHandOver<T>(): HandOver<T> {
  const handed = new WeakMap<IncomingMessage, Handed<T>>();
  return {
    give: (req, read) => {
      handed.set(req, { kind: 'read', read });
    },
    fail: (req, error) => {
      handed.set(req, { kind: 'error', error });
    },
    step: (take) => (req, _res, next) => {
      const taken = handed.get(req);
      if (taken === undefined) return next();
      handed.delete(req);
      // Express takes a falsy error for none and would read the finished request as a fresh one.
      if (taken.kind === 'error') return next(taken.error || new Error(`direct path failed: ${String(taken.error)}`));
      take(req, taken.read);
      next();
    },
  };
}
