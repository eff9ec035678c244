/** The portal REST endpoint: `/rest/<method>[.json]`, limiter, auth, dispatch and answer shapes. */
import type { Request, Response } from 'express';
import { type MethodContext, methodTable } from './methods';
import { asDict, type Dict, str } from './params';
import { RestError, restErrors } from './rest-error';
import { restTime } from './rest-time';
import type { PortalState } from './state';

const PATH_RE = /^\/rest\/+([^/]+?)(?:\.json)?\/?$/i;

/** The method name of a REST path, or undefined when the path is not a REST call. */
export function restMethodOf(path: string): string | undefined {
  const name = PATH_RE.exec(path)?.[1];
  return name === undefined ? undefined : decodeURIComponent(name).toLowerCase();
}

/**
 * The OAuth scope a method needs (undefined: any app may call it: app.*, event.*, batch, user.*).
 * The docs list the connector's methods under `imopenlines` (openlines-wire.md §1), `im.*` under `im`.
 */
function scopeOf(method: string): string | undefined {
  const prefix = method.split('.')[0] ?? '';
  if (prefix === 'imconnector') return 'imopenlines';
  return ['crm', 'bizproc', 'placement', 'im', 'imopenlines', 'disk'].includes(prefix) ? prefix : undefined;
}

/** Runs one method with an already checked token (used directly and by batch). */
export async function callMethod(
  state: PortalState,
  accessToken: string,
  method: string,
  params: Dict,
): Promise<unknown> {
  state.countMethod(method);
  const handler = methodTable[method];
  if (!handler || !Object.hasOwn(methodTable, method)) throw restErrors.methodNotFound();
  const scope = scopeOf(method);
  if (scope && !state.hasScope(scope)) throw restErrors.insufficientScope();
  const ctx: MethodContext = { state, accessToken, call: (m, p) => callMethod(state, accessToken, m, p) };
  return handler(ctx, params);
}

function sendError(res: Response, err: RestError): void {
  res.status(err.status).json({ error: err.code, error_description: err.description });
}

/** Express handler for a REST call to `method`. */
export async function handleRest(state: PortalState, method: string, req: Request, res: Response): Promise<void> {
  const started = Date.now();
  state.stats.restRequests++;
  const query = asDict(req.query as unknown) ?? {};
  const body = asDict(req.body as unknown) ?? {};
  const params: Dict = { ...query, ...body };
  if (method === 'batch') {
    const client = req.get('user-agent') ?? '';
    state.stats.batchClients[client] = (state.stats.batchClients[client] ?? 0) + 1;
  }
  try {
    if (!state.bucket.take()) {
      state.stats.queryLimitExceeded++;
      state.countMethod(method);
      throw restErrors.queryLimit();
    }
    const auth = str(params.auth ?? params.AUTH);
    if (!auth) {
      state.countMethod(method);
      throw restErrors.noAuth();
    }
    const check = state.checkAccessToken(auth);
    if (check !== 'ok') {
      state.countMethod(method);
      throw check === 'expired' ? restErrors.expiredToken() : restErrors.invalidToken();
    }
    delete params.auth;
    delete params.AUTH;
    const result = await callMethod(state, auth, method, params);
    res.status(200).json({ result, time: restTime(started) });
  } catch (err) {
    if (err instanceof RestError) sendError(res, err);
    else sendError(res, new RestError('INTERNAL_SERVER_ERROR', 'Internal server error', 500));
  }
}
