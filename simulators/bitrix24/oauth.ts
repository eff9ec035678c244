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

/**
 * The portal a refresh token belongs to: this one, or a peer whose tokens this OAuth server also
 * serves (Bitrix24 has one OAuth server per region for all its portals).
 */
function ownerOf(state: PortalState, refreshToken: string): PortalState {
  return [state, ...state.oauthPeers].find((s) => s.refreshTokens.has(refreshToken)) ?? state;
}

/** Runs the refresh_token grant: new tokens, or the OAuth error to answer. */
function refreshGrant(server: PortalState, params: Record<string, unknown>): OAuthAnswer {
  const state = ownerOf(server, str(params.refresh_token));
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
      // The OAuth server's own host (bitrix24-wire.md §7), not the portal's.
      domain: new URL(server.baseUrl()).host,
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
  state.stats.oauthRequests++;
  const params = { ...(asDict(req.query as unknown) ?? {}), ...(asDict(req.body as unknown) ?? {}) };
  const answer = refreshGrant(state, params);
  res.status(answer.status).json(answer.body);
}
