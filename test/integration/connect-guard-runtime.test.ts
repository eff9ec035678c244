import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import { loadConfig } from '../../config/load-config';
import { postEvent } from '../../hooks/hook-post';
import { systemClock } from '../../lib/clock';
import { fetchFollowing } from '../../lib/fetch-following';
import { createLogger } from '../../lib/logger';
import { verifyPageUser } from '../../portals/page-auth';
import { createRuntime, type Runtime } from '../../runtime/create-runtime';
import { type Line, lineSchema } from '../../store/line-store';
import { CLIENT_ID, CLIENT_SECRET } from '../helpers/harness';

/**
 * The runtime as production builds it (ALLOW_PRIVATE_ADDRESSES off), every name resolving to
 * 127.0.0.1 where a local server stands for an internal service: each client for an address a
 * portal, a portal user or an API caller names is refused, and the operator's own configuration
 * (GUPSHUP_API_URL, a host only the CLI can set) still connects.
 */
describe('the runtime wires the connect-time guard into every client of named addresses', () => {
  let internal: Server;
  let port: number;
  const hits: string[] = [];
  let redis: Redis;
  let rt: Runtime;
  const memberId = 'guarded-portal';

  beforeAll(async () => {
    internal = createServer((req, res) => {
      hits.push(req.url ?? '');
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"result":{}}');
    });
    await new Promise<void>((resolve) => internal.listen(0, '127.0.0.1', resolve));
    port = (internal.address() as AddressInfo).port;
    const redisUrl = process.env.TEST_REDIS_URL ?? '';
    redis = new Redis(redisUrl, { maxRetriesPerRequest: null });
    const config = loadConfig({
      PUBLIC_URL: 'https://app.example',
      REDIS_URL: redisUrl,
      B24_CLIENT_ID: CLIENT_ID,
      B24_CLIENT_SECRET: CLIENT_SECRET,
      WA_APP_SECRET: 'app-secret',
      WA_VERIFY_TOKEN: 'verify-token',
      SECRETS_KEY: 'd'.repeat(64),
      LOG_LEVEL: 'silent',
      ALLOW_PRIVATE_ADDRESSES: '0',
      GUPSHUP_API_URL: `http://127.0.0.1:${port}/gupshup`,
    });
    const prefix = `cgr${Date.now().toString(36)}`;
    const log = createLogger('silent');
    rt = createRuntime({
      config,
      redis,
      log,
      keyPrefix: prefix,
      queuePrefix: `bull-${prefix}`,
      resolve: async () => ['127.0.0.1'],
    });
    await rt.portals.save({
      memberId,
      domain: 'portal.test',
      clientEndpoint: `http://portal.test:${port}/rest/`,
      serverEndpoint: 'https://oauth.bitrix.info/rest/',
      applicationToken: 'app-token',
      accessToken: 'access-token',
      refreshToken: 'refresh-token',
      expiresAt: Date.now() + 3_600_000,
      scope: 'crm,imopenlines,user',
      userId: 1,
      languageId: 'en',
      installedAt: Date.now(),
    });
  });
  afterAll(async () => {
    await rt.close();
    redis.disconnect();
    await new Promise((resolve) => internal.close(resolve));
  });
  beforeEach(() => {
    hits.length = 0;
  });

  const line = (provider: Line['provider'], apiUrl?: string, apiUrlBy?: Line['apiUrlBy']): Line => ({
    id: `line-${provider}`,
    memberId,
    provider,
    phoneNumberId: '1101',
    accessToken: 'tok',
    apiUrl,
    apiUrlBy,
    source: '79001112233',
    name: provider,
    createdAt: Date.now(),
  });
  const send = (l: Line) =>
    rt
      .providerFor(l)
      .send({ to: '79161234567', content: { type: 'text', body: 'hi' } })
      .catch((e: unknown) => e);

  it("the portal's REST calls (SDK and batch) are refused as ADDRESS_REFUSED", async () => {
    const client = rt.bitrix(memberId);
    await expect(client.call('app.info')).rejects.toMatchObject({ code: 'ADDRESS_REFUSED', retryable: false });
    await expect(client.batch({ a: ['app.info', {}] })).rejects.toMatchObject({ code: 'ADDRESS_REFUSED' });
    expect(hits).toEqual([]);
  });

  it("a settings-page user's `profile` call, file fetches and event deliveries are refused", async () => {
    const opening = { member_id: memberId, AUTH_ID: 'user-token' };
    await expect(verifyPageUser(rt, opening)).rejects.toMatchObject({ code: 'address_refused' });
    const file = await fetchFollowing(new URL(`http://files.test:${port}/f`), {
      refusal: async () => undefined,
      dispatcher: rt.addresses.dispatcher,
      maxRedirects: 1,
      hopSignal: () => AbortSignal.timeout(5000),
    }).catch((e: unknown) => e);
    expect(file).toMatchObject({ failure: { reason: 'refused' } });
    const delivery = await postEvent({
      url: `http://hooks.test:${port}/hook`,
      body: '{}',
      eventId: 'e1',
      secret: 's',
      timeoutMs: 5000,
      clock: systemClock,
      refusal: async () => undefined,
      dispatcher: rt.hooks.dispatcher,
    });
    expect(delivery.error).toMatch(/^address refused: /);
    expect(hits).toEqual([]);
  });

  it('a Green-API host of GREEN_API_HOSTS (a portal admin may type it) is refused', async () => {
    expect(await send(line('green-api', `http://1101.api.green-api.com:${port}`))).toMatchObject({
      code: 'address_refused',
    });
    // Set by the CLI, it is still a host a portal admin could have typed: guarded as well.
    expect(await send(line('green-api', `http://1102.api.green-api.com:${port}`, 'cli'))).toMatchObject({
      code: 'address_refused',
    });
    expect(hits).toEqual([]);
  });

  it('a Green-API host set on the settings page is refused even when GREEN_API_HOSTS no longer names it', async () => {
    // Saved while GREEN_API_HOSTS had *.tenant-hosting.example; the operator has narrowed it since.
    const pageSet = `http://t1.tenant-hosting.example:${port}`;
    expect(await send(line('green-api', pageSet, 'page'))).toMatchObject({ code: 'address_refused' });
    // A record from before `apiUrlBy` reads as the page's (fail closed).
    const stored = lineSchema.parse({ ...line('green-api', pageSet), apiUrlBy: undefined });
    expect(stored.apiUrlBy).toBe('page');
    expect(await send(stored)).toMatchObject({ code: 'address_refused' });
    expect(hits).toEqual([]);
  });

  it("the operator's hosts connect: GUPSHUP_API_URL, and a Green-API host the CLI set", async () => {
    await send(line('gupshup'));
    expect(hits).toEqual([expect.stringMatching(/^\/gupshup\//)]);
    const cliSet = await send(line('green-api', `http://127.0.0.1:${port}/green`, 'cli'));
    expect(cliSet).not.toMatchObject({ code: 'address_refused' });
    expect(hits).toEqual([expect.stringMatching(/^\/gupshup\//), expect.stringMatching(/^\/green\//)]);
  });
});
