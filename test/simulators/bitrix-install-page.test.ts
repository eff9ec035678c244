import { defined } from '../helpers/defined';
import { rest, startPortal } from './bitrix-helpers';
import { startReceiver } from './receiver';

describe('Bitrix24 simulator: install page and installFinish', () => {
  it('POSTs the install page body (portal in the query, tokens in the form, no application token)', async () => {
    const { sim, url } = await startPortal({ installingUserId: 7, languageId: 'en' });
    const app = await startReceiver();
    try {
      const result = await sim.installViaPage({ installUrl: `${app.url}/install?x=1`, finish: false });
      expect(result.status).toBe(200);
      expect(result.installEvents).toEqual([]);
      const [page] = await app.waitFor(1);
      const request = defined(page, 'install page POST');
      expect(request.method).toBe('POST');
      expect(request.headers['content-type']).toBe('application/x-www-form-urlencoded');
      const query = new URL(request.path, app.url).searchParams;
      expect(query.get('x')).toBe('1');
      expect(query.get('DOMAIN')).toBe(new URL(url).host);
      expect(query.get('PROTOCOL')).toBe('0');
      expect(query.get('LANG')).toBe('en');
      expect(query.get('APP_SID')).toMatch(/^[0-9a-f]{32}$/);
      const form = new URLSearchParams(request.raw);
      expect([...form.keys()]).toEqual([
        'AUTH_ID',
        'AUTH_EXPIRES',
        'REFRESH_ID',
        'member_id',
        'status',
        'PLACEMENT',
        'PLACEMENT_OPTIONS',
      ]);
      const tokens = sim.currentTokens();
      expect(Object.fromEntries(form)).toEqual({
        AUTH_ID: tokens.accessToken,
        AUTH_EXPIRES: '3600',
        REFRESH_ID: tokens.refreshToken,
        member_id: tokens.memberId,
        status: 'L',
        PLACEMENT: 'DEFAULT',
        PLACEMENT_OPTIONS: '{"any":"28\\/"}',
      });
      // The page's token is the installing user's.
      expect((await rest(sim, 'profile', {}, tokens.accessToken)).json.result).toMatchObject({ ID: '7' });
      expect((await rest(sim, 'user.current', {}, tokens.accessToken)).json.result).toMatchObject({ ID: '7' });
    } finally {
      await app.stop();
      await sim.stop();
    }
  });

  it('installFinish delivers ONAPPINSTALL, with the application token, to every handler bound to it', async () => {
    const { sim } = await startPortal({ installingUserId: 7 });
    const app = await startReceiver();
    try {
      const unbound = await sim.installViaPage({ installUrl: `${app.url}/install` });
      expect(unbound.installEvents).toEqual([]);
      await rest(sim, 'event.bind', { event: 'onAppInstall', handler: `${app.url}/events` });
      await rest(sim, 'event.bind', { event: 'ONCRMDEALUPDATE', handler: `${app.url}/events` });
      const delivered = await sim.installFinish();
      expect(delivered).toEqual([{ url: `${app.url}/events`, status: 200, body: 'ok' }]);
      const received = await app.waitFor(2);
      const event = new URLSearchParams(defined(received[1], 'ONAPPINSTALL').raw);
      const binding = defined(
        sim.eventBindings().find((b) => b.event === 'ONAPPINSTALL'),
        'binding',
      );
      expect(event.get('event')).toBe('ONAPPINSTALL');
      expect(event.get('event_handler_id')).toBe(String(binding.id));
      expect(event.get('auth[application_token]')).toBe(unbound.applicationToken);
      expect(event.get('auth[user_id]')).toBe('7');
      expect(event.get('auth[access_token]')).toBe(sim.currentTokens().accessToken);
      expect(event.get('auth[refresh_token]')).toBe(sim.currentTokens().refreshToken);
    } finally {
      await app.stop();
      await sim.stop();
    }
  });

  it("one OAuth server for several portals: serveOAuthFor lets a portal's OAuth endpoint exchange another's tokens", async () => {
    const a = await startPortal();
    const b = await startPortal({ memberId: 'portal-b' });
    try {
      const exchange = async () => {
        const response = await fetch(`${a.url}/oauth/token/`, {
          method: 'POST',
          body: new URLSearchParams({
            grant_type: 'refresh_token',
            client_id: 'local.sim.1',
            client_secret: 'secret',
            refresh_token: b.sim.currentTokens().refreshToken,
          }),
        });
        return { status: response.status, json: (await response.json()) as Record<string, unknown> };
      };
      expect(await exchange()).toMatchObject({ status: 400, json: { error: 'invalid_grant' } });
      a.sim.serveOAuthFor(b.sim);
      const answer = await exchange();
      expect(answer.status).toBe(200);
      expect(answer.json).toMatchObject({
        member_id: 'portal-b',
        client_endpoint: `${b.url}/rest/`,
        domain: new URL(a.url).host,
        access_token: b.sim.currentTokens().accessToken,
      });
      expect(b.sim.stats().refreshes).toBe(1);
    } finally {
      await a.sim.stop();
      await b.sim.stop();
    }
  });
});
