import { z } from 'zod';
import type { Clock } from '../lib/clock';
import { AppError } from '../lib/errors/app-error';
import type { Portal } from '../store/portal-store';
import { oauthTokenUrl, type TokenRefresherOptions } from './refresh-tokens';

/**
 * The OAuth server's answer to a refresh (bitrix24-wire.md §7). Unlike a routine refresh, an
 * install is confirmed only when the answer itself names the member and the portal's REST
 * address: nothing falls back to what the install request said.
 */
const confirmationSchema = z.object({
  access_token: z.string().min(1),
  refresh_token: z.string().min(1),
  expires: z.coerce.number().optional(),
  expires_in: z.coerce.number().default(3600),
  member_id: z.string().min(1),
  client_endpoint: z.url({ protocol: /^https?$/ }),
  server_endpoint: z.url().optional(),
  scope: z.string().optional(),
});

/** What Bitrix24's OAuth server vouches for, and the fresh tokens (the offered refresh token is spent). */
export interface InstallConfirmation {
  memberId: string;
  clientEndpoint: string;
  serverEndpoint: string | undefined;
  accessToken: string;
  refreshToken: string;
  expiresAt: number;
  scope: string | undefined;
}

export type ConfirmInstallOptions = Pick<TokenRefresherOptions, 'clientId' | 'clientSecret' | 'oauthUrl'> & {
  clock: Clock;
};

/**
 * Exchanges an install's refresh token at the trusted OAuth server (B24_OAUTH_URL, else a known
 * Bitrix24 OAuth host: see `oauthTokenUrl`). Throws `install_not_confirmed` (forbidden) when the
 * server refuses the token or its answer lacks the member or address, `oauth_unavailable`
 * (retryable) when the server cannot be reached or fails.
 */
export async function confirmInstallTokens(
  offered: Pick<Portal, 'refreshToken' | 'serverEndpoint'>,
  options: ConfirmInstallOptions,
): Promise<InstallConfirmation> {
  let url: string;
  try {
    url = oauthTokenUrl(offered, options.oauthUrl);
  } catch (error) {
    throw new AppError('install_not_confirmed', 'the install names no Bitrix24 OAuth server', {
      kind: 'forbidden',
      cause: error,
    });
  }
  const body = new URLSearchParams({
    grant_type: 'refresh_token',
    client_id: options.clientId,
    client_secret: options.clientSecret,
    refresh_token: offered.refreshToken,
  });
  let response: Response;
  try {
    response = await fetch(url, { method: 'POST', body, signal: AbortSignal.timeout(10000) });
  } catch (error) {
    throw new AppError('oauth_unavailable', 'the OAuth server could not be reached', { retryable: true, cause: error });
  }
  if (response.status >= 500) {
    throw new AppError('oauth_unavailable', `the OAuth server answered HTTP ${response.status}`, { retryable: true });
  }
  const json: unknown = await response.json().catch(() => ({}));
  const answer = confirmationSchema.safeParse(json);
  if (!response.ok || !answer.success) {
    const error = z.object({ error: z.string() }).safeParse(json);
    const reason = error.success ? error.data.error : `HTTP ${response.status}, no member and address`;
    throw new AppError('install_not_confirmed', `the OAuth server did not confirm the install (${reason})`, {
      kind: 'forbidden',
    });
  }
  const a = answer.data;
  return {
    memberId: a.member_id,
    clientEndpoint: a.client_endpoint,
    serverEndpoint: a.server_endpoint,
    accessToken: a.access_token,
    refreshToken: a.refresh_token,
    expiresAt: a.expires ? a.expires * 1000 : options.clock.now() + a.expires_in * 1000,
    scope: a.scope,
  };
}
