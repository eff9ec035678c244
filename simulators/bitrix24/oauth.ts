/** The OAuth server endpoint `/oauth/token/` (refresh_token grant, single-use refresh tokens). */
import type { Request, Response } from 'express';
import { asDict, str } from './params';
import type { PortalState } from './state';

/** An answer of the token endpoint. */
interface OAuthAnswer {
  status: number;
  body: Record<string, unknown>;
}

function failure(error: string, description: string): OAuthAnswer {
  return { status: 400, body: { error, error_description: description } };
}

/** Runs the refresh_token grant: new tokens, or the OAuth error to answer. */
function refreshGrant(state: PortalState, params: Record<string, unknown>): OAuthAnswer {
  const grantType = str(params.grant_type);
  const clientId = str(params.client_id);
  const clientSecret = str(params.client_secret);
  if (!grantType || !clientId) return failure('invalid_request', 'Invalid request');
  if (clientId !== state.opts.clientId || clientSecret !== state.opts.clientSecret) {
    return failure('invalid_client', 'Invalid client credentials');
  }
  if (grantType !== 'refresh_token') return failure('unsupported_grant_type', 'Unsupported grant type');
  const refreshToken = str(params.refresh_token);
  if (!refreshToken || !state.refreshTokens.has(refreshToken)) return failure('invalid_grant', 'Invalid refresh token');
  state.refreshTokens.delete(refreshToken);
  state.stats.refreshes++;
  const t = state.issueTokens();
  return {
    status: 200,
    body: {
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
    },
  };
}

/** Handles GET or POST `/oauth/token/` with parameters in the query or a form body. */
export function handleOAuth(state: PortalState, req: Request, res: Response): void {
  const params = { ...(asDict(req.query as unknown) ?? {}), ...(asDict(req.body as unknown) ?? {}) };
  const answer = refreshGrant(state, params);
  res.status(answer.status).json(answer.body);
}
