import type { BitrixPortalSimulator } from '../../simulators/bitrix24';
import { defined } from '../helpers/defined';
import { createManualClock } from '../helpers/manual-clock';
import { rest, startPortal } from './bitrix-helpers';

describe('bitrix24 simulator: batch, rate limit, tokens', () => {
  let sim: BitrixPortalSimulator;
  afterEach(() => sim.stop());

  it('runs a batch as one request; commands past the 50th get ERROR_BATCH_LENGTH_EXCEEDED', async () => {
    ({ sim } = await startPortal());
    const dealId = sim.createDeal({ title: 'x' });
    const cmd: Record<string, string> = {};
    for (let i = 0; i < 52; i++) cmd[`c${i}`] = `crm.deal.get?id=${dealId}`;
    cmd.nested = 'batch?halt=0';
    const res = await rest(sim, 'batch', { halt: 0, cmd });
    expect(res.status).toBe(200);
    const r = res.json.result as Record<string, Record<string, unknown>>;
    expect(Object.keys(defined(r.result, 'batch result'))).toHaveLength(50);
    expect(r.result_error?.c50).toEqual({
      error: 'ERROR_BATCH_LENGTH_EXCEEDED',
      error_description: 'Max batch length exceeded',
    });
    expect(r.result_error?.nested).toEqual(expect.objectContaining({ error: 'ERROR_BATCH_LENGTH_EXCEEDED' }));
    expect(r.result_total).toEqual([]);
    expect(sim.stats().restRequests).toBe(1);
    expect(sim.stats().batchCalls).toBe(1);
  });

  it('supports nested-batch refusal, $result references and form-encoded cmd', async () => {
    ({ sim } = await startPortal());
    const contactId = sim.createContact({ name: 'A' });
    const dealId = sim.createDeal({ contactId });
    const cmd = {
      d: `crm.deal.get?id=${dealId}`,
      c: 'crm.contact.get?id=$result[d][CONTACT_ID]',
      b: 'batch',
      m: 'nope.method',
    };
    const res = await rest(sim, 'batch', { cmd });
    const r = res.json.result as Record<string, Record<string, Record<string, unknown>>>;
    expect(r.result?.c?.ID).toBe(String(contactId));
    expect(r.result_error?.b?.error).toBe('ERROR_BATCH_METHOD_NOT_ALLOWED');
    expect(r.result_error?.m?.error).toBe('ERROR_METHOD_NOT_FOUND');
    const form = `cmd%5Bx%5D=${encodeURIComponent(`crm.deal.get?id=${dealId}`)}&auth=${sim.currentTokens().accessToken}`;
    const f = await fetch(`${sim.url()}/rest/batch`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: form,
    });
    const fj = (await f.json()) as { result: { result: Record<string, { ID: string }>; result_error: unknown } };
    expect(fj.result.result.x?.ID).toBe(String(dealId));
    expect(fj.result.result_error).toEqual([]);
  });

  it('answers QUERY_LIMIT_EXCEEDED (503) once the bucket is full, and a request fits again as it drains', async () => {
    // The bucket's time is moved by hand: a slow machine must not drain it between the requests.
    const clock = createManualClock();
    ({ sim } = await startPortal({ restLimit: { drainPerSec: 2, burst: 5 }, restLimitNow: clock.now }));
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) statuses.push((await rest(sim, 'profile')).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 503, 503, 503]);
    const limited = await rest(sim, 'profile');
    expect(limited).toEqual({
      status: 503,
      json: { error: 'QUERY_LIMIT_EXCEEDED', error_description: 'Too many requests' },
    });
    expect(sim.stats().queryLimitExceeded).toBe(4);
    // Five in the bucket, draining at 2/s: one more fits 500 ms later, not a moment before, and
    // refused requests add nothing (the fourth 503 above did not push the time back).
    clock.advance(499);
    expect((await rest(sim, 'profile')).status).toBe(503);
    clock.advance(1);
    expect((await rest(sim, 'profile')).status).toBe(200);
    expect((await rest(sim, 'profile')).status).toBe(503);
    // A second's drain frees two places.
    clock.advance(1000);
    expect([(await rest(sim, 'profile')).status, (await rest(sim, 'profile')).status]).toEqual([200, 200]);
    expect((await rest(sim, 'profile')).status).toBe(503);
  });

  it('expires access tokens (401 expired_token, whole batch too) and refresh tokens are single-use', async () => {
    ({ sim } = await startPortal());
    const old = sim.currentTokens();
    sim.expireAccessToken();
    const expired = await rest(sim, 'app.info', {}, old.accessToken);
    expect(expired).toEqual({
      status: 401,
      json: { error: 'expired_token', error_description: 'The access token provided has expired.' },
    });
    expect((await rest(sim, 'batch', { cmd: { a: 'profile' } }, old.accessToken)).status).toBe(401);

    const q = new URLSearchParams({
      grant_type: 'refresh_token',
      client_id: 'local.sim.1',
      client_secret: 'secret',
      refresh_token: old.refreshToken,
    });
    const oauthUrl = `${old.serverEndpoint.replace(/\/rest\/$/, '')}/oauth/token/`;
    const ok = await fetch(`${oauthUrl}?${q}`);
    const tokens = (await ok.json()) as Record<string, unknown>;
    expect(ok.status).toBe(200);
    expect(tokens).toEqual(
      expect.objectContaining({
        client_endpoint: `${sim.url()}/rest/`,
        member_id: old.memberId,
        expires_in: 3600,
        user_id: 1,
        status: 'L',
      }),
    );
    expect(tokens.refresh_token).not.toBe(old.refreshToken);
    expect((await rest(sim, 'app.info', {}, String(tokens.access_token))).json.result).toEqual(
      expect.objectContaining({ INSTALLED: true, CODE: 'local.sim.1' }),
    );

    const again = await fetch(oauthUrl, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: q.toString(),
    });
    expect(again.status).toBe(400);
    expect(await again.json()).toEqual({ error: 'invalid_grant', error_description: 'Invalid refresh token' });
    const wrongClient = await fetch(
      `${oauthUrl}?${new URLSearchParams({ ...Object.fromEntries(q), client_secret: 'x', refresh_token: String(tokens.refresh_token) })}`,
    );
    expect(((await wrongClient.json()) as { error: string }).error).toBe('invalid_client');
    expect(sim.stats().refreshes).toBe(1);
  });
});
