/** Fault injection for REST calls: the next calls answer a portal error before anything runs. */
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { type RestError, restErrors } from './rest-error';
import { restMethodOf } from './rest-router';
import type { PortalState } from './state';

/**
 * The errors a burst can answer: the REST limit, an access token the portal calls expired, or a
 * refusal of the whole call a portal answers for a while (permissions being changed, a scope missing).
 */
export type RestFaultCode = 'QUERY_LIMIT_EXCEEDED' | 'expired_token' | 'ACCESS_DENIED' | 'insufficient_scope';

export interface RestFault {
  code: RestFaultCode;
  /** How many calls answer it (a positive integer). */
  times: number;
  /** Only calls of this method (e.g. `batch`); default every REST call. */
  method?: string;
}

const pending = new WeakMap<PortalState, RestFault[]>();
const errorOf: Record<RestFaultCode, () => RestError> = {
  QUERY_LIMIT_EXCEEDED: restErrors.queryLimit,
  expired_token: restErrors.expiredToken,
  ACCESS_DENIED: () => restErrors.accessDenied(),
  insufficient_scope: restErrors.insufficientScope,
};

/** Queues a burst: the next `times` REST calls (of `method`) answer `code`, before the limiter and the token check. */
export function injectRestFault(state: PortalState, fault: RestFault): void {
  if (!Object.hasOwn(errorOf, fault.code)) throw new Error(`injectRestFault: unknown code ${String(fault.code)}`);
  if (!Number.isInteger(fault.times) || fault.times < 1)
    throw new Error(`injectRestFault: times must be a positive integer, got ${fault.times}`);
  const method = fault.method?.toLowerCase();
  pending.set(state, [...(pending.get(state) ?? []), { ...fault, method }]);
}

/** Injected calls not answered yet. */
export function pendingRestFaults(state: PortalState): number {
  return (pending.get(state) ?? []).reduce((n, f) => n + f.times, 0);
}

function take(state: PortalState, method: string): RestFault | undefined {
  const faults = pending.get(state) ?? [];
  const fault = faults.find((f) => f.times > 0 && (f.method === undefined || f.method === method));
  if (!fault) return undefined;
  fault.times -= 1;
  pending.set(
    state,
    faults.filter((f) => f.times > 0),
  );
  return fault;
}

/** The middleware answering injected faults; mounted before the REST handler. */
export function restFaults(state: PortalState): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const method = restMethodOf(req.path);
    const fault = method === undefined ? undefined : take(state, method);
    if (!method || !fault) return next();
    state.stats.restRequests++;
    state.countMethod(method);
    if (fault.code === 'QUERY_LIMIT_EXCEEDED') state.stats.queryLimitExceeded++;
    const error = errorOf[fault.code]();
    res.status(error.status).json({ error: error.code, error_description: error.description });
  };
}
