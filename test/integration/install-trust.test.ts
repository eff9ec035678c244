import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import { createApp } from '../../app/create-app';
import { randomId } from '../../lib/hash';
import { createLogger } from '../../lib/logger';
import { createRuntime } from '../../runtime/create-runtime';
import { CLIENT_ID, createHarness, type Harness } from '../helpers/harness';

/** A "portal" an attacker runs on the app's network: answers every call like a real one, and counts them. */
async function startAttackerPortal(): Promise<{ url: string; requests: () => number; stop(): Promise<void> }> {
  let requests = 0;
  const server: Server = createServer((_req, res) => {
    requests += 1;
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ result: { ID: 7, CODE: CLIENT_ID, STATUS: 'L', INSTALLED: true } }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo; // listening on TCP: address() is an AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    requests: () => requests,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** The app's doors as production runs them (ALLOW_PRIVATE_ADDRESSES off), beside the harness. */
async function startProductionDoors(h: Harness): Promise<{ url: string; rt: ReturnType<typeof createRuntime> }> {
  const redis = new Redis(h.redisUrl, { maxRetriesPerRequest: null });
  const prefix = `p${randomId(4).replace(/[^a-zA-Z0-9]/g, 'x')}`;
  const rt = createRuntime({
    config: { ...h.rt.config, ALLOW_PRIVATE_ADDRESSES: false },
    redis,
    log: createLogger('silent'),
    keyPrefix: prefix,
    queuePrefix: `bull-${prefix}`,
  });
  const server: Server = await new Promise((resolve) => {
    const s = createApp(rt).listen(0, '127.0.0.1', () => resolve(s));
  });
  closers.push(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await rt.close();
    redis.disconnect();
  });
  const { port } = server.address() as AddressInfo; // listening on TCP: address() is an AddressInfo
  return { url: `http://127.0.0.1:${port}`, rt };
}

const closers: Array<() => Promise<void>> = [];

/** An ONAPPINSTALL naming `clientEndpoint` as the portal (form-encoded, as Bitrix24 sends it). */
function installEvent(fields: {
  memberId: string;
  clientEndpoint: string;
  accessToken?: string;
  refreshToken?: string;
  serverEndpoint?: string;
  domain?: string;
}): URLSearchParams {
  return new URLSearchParams({
    event: 'ONAPPINSTALL',
    'data[LANGUAGE_ID]': 'en',
    'auth[access_token]': fields.accessToken ?? 'attacker-access',
    'auth[refresh_token]': fields.refreshToken ?? 'attacker-refresh',
    'auth[expires_in]': '3600',
    'auth[domain]': fields.domain ?? 'victim.bitrix24.com',
    'auth[client_endpoint]': fields.clientEndpoint,
    'auth[server_endpoint]': fields.serverEndpoint ?? 'https://oauth.bitrix.info/rest/',
    'auth[member_id]': fields.memberId,
    'auth[application_token]': 'attacker-application-token',
    'auth[user_id]': '1',
  });
}

async function post(url: string, body: URLSearchParams): Promise<{ status: number; json: unknown }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body,
  });
  return { status: response.status, json: await response.json().catch(() => null) };
}

describe('install trust: the OAuth server vouches for a portal, never the request', () => {
  let h: Harness;
  let attacker: Awaited<ReturnType<typeof startAttackerPortal>>;
  beforeEach(async () => {
    h = await createHarness({ startWorkers: false, connectLine: false });
    attacker = await startAttackerPortal();
  });
  afterEach(async () => {
    for (const close of closers.splice(0)) await close();
    await attacker.stop();
    await h.close();
  });

  it('with ALLOW_PRIVATE_ADDRESSES off, an install naming a local portal is refused (403) and the app never calls it', async () => {
    const app = await startProductionDoors(h);
    const event = installEvent({ memberId: 'attacker-1', clientEndpoint: `${attacker.url}/rest/` });
    for (const door of ['/b24/install', '/b24/events']) {
      const answer = await post(`${app.url}${door}`, event);
      expect(answer.status).toBe(403);
      expect(answer.json).toMatchObject({ error: 'address_not_allowed' });
    }
    // The install page's form: the portal named by DOMAIN/PROTOCOL in the query.
    const host = new URL(attacker.url).host;
    const page = await post(
      `${app.url}/b24/install?DOMAIN=${encodeURIComponent(host)}&PROTOCOL=0&LANG=en&APP_SID=abc`,
      new URLSearchParams({
        AUTH_ID: 'a',
        AUTH_EXPIRES: '3600',
        REFRESH_ID: 'r',
        member_id: 'attacker-2',
        status: 'L',
      }),
    );
    expect(page.status).toBe(403);
    expect(attacker.requests()).toBe(0);
    expect(await app.rt.portals.list()).toEqual([]);
    expect(h.portal.stats().refreshes).toBe(1);
  });

  it('a new member naming another address, with tokens the OAuth server does not know, is refused without calling that address', async () => {
    const answer = await post(
      `${h.appUrl}/b24/install`,
      installEvent({ memberId: 'attacker-3', clientEndpoint: `${attacker.url}/rest/` }),
    );
    expect(answer.status).toBe(403);
    expect(answer.json).toMatchObject({ error: 'install_not_verified' });
    expect(attacker.requests()).toBe(0);
    expect(await h.rt.portals.get('attacker-3')).toBeNull();
  });

  it("a real portal's tokens offered as another member at another address: the OAuth server names the real member, so it is refused", async () => {
    const genuine = h.portal.state.issueTokens();
    const answer = await post(
      `${h.appUrl}/b24/install`,
      installEvent({
        memberId: 'attacker-4',
        clientEndpoint: `${attacker.url}/rest/`,
        accessToken: genuine.accessToken,
        refreshToken: genuine.refreshToken,
      }),
    );
    expect(answer.status).toBe(403);
    expect(attacker.requests()).toBe(0);
    expect(await h.rt.portals.get('attacker-4')).toBeNull();
  });

  it('a genuine install stores the addresses the OAuth server names and the NEW tokens (the offered refresh token is spent)', async () => {
    // The harness's own install went through the OAuth server once.
    expect(h.portal.stats().refreshes).toBe(1);
    await h.rt.portals.remove(h.memberId);
    const offered = h.portal.state.issueTokens();
    const sim = new URL(h.portal.url());
    const answer = await post(
      `${h.appUrl}/b24/install`,
      installEvent({
        memberId: h.memberId,
        // Same host, but a path, domain and OAuth server of the request's own choosing.
        clientEndpoint: `${sim.origin}/elsewhere/`,
        domain: 'attacker.example.com',
        accessToken: offered.accessToken,
        refreshToken: offered.refreshToken,
      }),
    );
    expect(answer.status).toBe(200);
    expect(h.portal.stats().refreshes).toBe(2);
    const stored = await h.rt.portals.get(h.memberId);
    const current = h.portal.currentTokens();
    expect(stored).toMatchObject({
      clientEndpoint: `${sim.origin}/rest/`,
      serverEndpoint: `${sim.origin}/rest/`,
      domain: sim.host,
      accessToken: current.accessToken,
      refreshToken: current.refreshToken,
      applicationToken: 'attacker-application-token',
    });
    expect(stored?.refreshToken).not.toBe(offered.refreshToken);
    // The new tokens work: the app's client calls the portal with them.
    await expect(h.rt.bitrix(h.memberId).call('app.info')).resolves.toMatchObject({ CODE: CLIENT_ID });
  });
  it('a new portal browsed by another name is installed at the address the OAuth server names', async () => {
    await h.rt.portals.remove(h.memberId);
    const offered = h.portal.state.issueTokens();
    const sim = new URL(h.portal.url());
    const answer = await post(
      `${h.appUrl}/b24/install`,
      installEvent({
        memberId: h.memberId,
        // The admin's browser used another name for the same portal (localhost vs 127.0.0.1).
        clientEndpoint: `http://localhost:${sim.port}/rest/`,
        accessToken: offered.accessToken,
        refreshToken: offered.refreshToken,
      }),
    );
    expect(answer.status).toBe(200);
    expect(await h.rt.portals.get(h.memberId)).toMatchObject({
      clientEndpoint: `${sim.origin}/rest/`,
      domain: sim.host,
    });
  });
});
