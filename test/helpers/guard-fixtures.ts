import { guardedB24OAuthClass } from '../../bitrix/guarded-sdk';
import type { GuardedNodeAgents } from '../../lib/connect-guard';

/** The b24jssdk client the app builds (its axios over `agents`) for a portal at `clientEndpoint`, one try per call. */
export function guardedSdkAt(clientEndpoint: string, agents: GuardedNodeAgents) {
  const Sdk = guardedB24OAuthClass(agents);
  return new Sdk(
    {
      applicationToken: 'app',
      userId: 1,
      memberId: 'm1',
      accessToken: 'token',
      refreshToken: 'refresh',
      expires: Math.floor(Date.now() / 1000) + 3600,
      expiresIn: 3600,
      scope: 'crm',
      domain: new URL(clientEndpoint).host,
      clientEndpoint,
      serverEndpoint: 'https://oauth.bitrix.info/rest/',
      status: 'L',
    },
    { clientId: 'c', clientSecret: 's' },
    { restrictionParams: { maxRetries: 1, retryOnNetworkError: false } },
  );
}
