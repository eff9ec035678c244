import type { IncomingMessage } from 'node:http';
import type { Request, RequestHandler } from 'express';

/** An error a direct path met on the way (a body read cut short, Redis down): the error handlers answer it. */
export type HandedError = { error: unknown };

/**
 * How a door's direct path hands a request to the door's Express route instead of answering it
 * itself: with what it read (`T`: the route takes it up instead of reading the body again, which is
 * gone), or with the error it met. The route's first step is `step`, and the direct path passes
 * the request to the Express app right after `give`.
 */
export interface HandOver<T extends object> {
  give(req: IncomingMessage, taken: T | HandedError): void;
  /**
   * The route's first step: a handed-over error goes to the error handlers, a handed-over read to
   * `take` (which sets `req.body`, the body parsers then pass over the finished request); a request
   * not handed over passes as it came.
   */
  step(take: (req: Request, read: T) => void): RequestHandler;
}

export function createHandOver<T extends object>(): HandOver<T> {
  const handed = new WeakMap<IncomingMessage, T | HandedError>();
  const isError = (taken: T | HandedError): taken is HandedError => 'error' in taken;
  return {
    give: (req, taken) => {
      handed.set(req, taken);
    },
    step: (take) => (req, _res, next) => {
      const taken = handed.get(req);
      if (taken === undefined) return next();
      handed.delete(req);
      if (isError(taken)) return next(taken.error);
      take(req, taken);
      next();
    },
  };
}
