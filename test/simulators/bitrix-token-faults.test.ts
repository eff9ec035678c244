import type { BitrixPortalSimulator } from '../../simulators/bitrix24';
import { rest, startPortal } from './bitrix-helpers';

describe('bitrix24 simulator: a portal that refuses every token', () => {
  let sim: BitrixPortalSimulator | undefined;
  afterEach(async () => {
    await sim?.stop();
    sim = undefined;
  });

  it('answers expired_token to fresh tokens too, counts every OAuth request, and recovers when told', async () => {
    ({ sim } = await startPortal());
    const old = sim.currentTokens();
    sim.refuseTokens();
    expect(await rest(sim, 'app.info', {}, old.accessToken)).toEqual({
      status: 401,
      json: { error: 'expired_token', error_description: 'The access token provided has expired.' },
    });
    const oauthUrl = `${old.serverEndpoint.replace(/\/rest\/$/, '')}/oauth/token/`;
    const grant = (refreshToken: string) =>
      fetch(oauthUrl, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'refresh_token',
          client_id: 'local.sim.1',
          client_secret: 'secret',
          refresh_token: refreshToken,
        }).toString(),
      });
    // The OAuth server still grants a refresh, but the portal refuses what it granted.
    const granted = await grant(old.refreshToken);
    expect(granted.status).toBe(200);
    // cast: a granted refresh answers access_token (bitrix-limits.test.ts checks the whole answer).
    const fresh = (await granted.json()) as { access_token: string };
    expect((await rest(sim, 'app.info', {}, fresh.access_token)).status).toBe(401);
    // A spent refresh token is refused (invalid_grant) and still counted at the endpoint.
    expect((await grant(old.refreshToken)).status).toBe(400);
    expect(sim.stats()).toEqual(expect.objectContaining({ oauthRequests: 2, refreshes: 1 }));
    sim.refuseTokens(false);
    expect((await rest(sim, 'app.info', {}, fresh.access_token)).status).toBe(200);
  });
});
