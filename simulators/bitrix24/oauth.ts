/** The OAuth server endpoint `/oauth/token/` (refresh_token grant, single-use refresh tokens). */
import type { Request, Response } from 'express';
import { asDict, str } from './params';
import type { PortalState } from './state';

function fail(res: Response, status: number, error: string, description: string): void {
  res.status(status).json({ error, error_description: description });
}

/** Handles GET or POST `/oauth/token/` with parameters in the query or a form body. */
export function handleOAuth(state: PortalState, req: Request, res: Response): void {
  const params = { ...(asDict(req.query as unknown) ?? {}), ...(asDict(req.body as unknown) ?? {}) };
  const grantType = str(params.grant_type);
  const clientId = str(params.client_id);
  const clientSecret = str(params.client_secret);
  if (!grantType || !clientId) return fail(res, 400, 'invalid_request', 'Invalid request');
  if (clientId !== state.opts.clientId || clientSecret !== state.opts.clientSecret) {
    return fail(res, 400, 'invalid_client', 'Invalid client credentials');
  }
  if (grantType !== 'refresh_token') return fail(res, 400, 'unsupported_grant_type', 'Unsupported grant type');
  const refreshToken = str(params.refresh_token);
  if (!refreshToken || !state.refreshTokens.has(refreshToken)) return fail(res, 400, 'invalid_grant', 'Invalid refresh token');
  state.refreshTokens.delete(refreshToken);
  state.stats.refreshes++;
  const t = state.issueTokens();
  res.status(200).json({
    access_token: t.accessToken,
    expires: t.expires,
    expires_in: t.expiresIn,
    scope: t.scope,
    domain: new URL(state.baseUrl()).host,
    server_endpoint: t.serverEndpoint,
    status: t.status,
    client_endpoint: t.clientEndpoint,
    member_id: t.memberId,
    user_id: t.userId,
    refresh_token: t.refreshToken,
  });
}
