import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Agent as HttpAgent, type IncomingMessage, request, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { request as undiciRequest } from 'undici';
import { postBatch } from '../../bitrix/batch-post';
import { BitrixError } from '../../bitrix/bitrix-error';
import { sdkPoolClosed } from '../../bitrix/guarded-sdk';
import { loadConfig } from '../../config/load-config';
import { fetchThrough, PoolClosedError, poolClosedIn } from '../../lib/connect-guard';
import { createLogger } from '../../lib/logger';
import { OutboundPools, POOL_CUT_SETTLE_MS } from '../../lib/outbound-pools';
import { runtimeCloser } from '../../runtime/close-runtime';
import { createRuntime, type Runtime } from '../../runtime/create-runtime';
import type { Line } from '../../store/line-store';
import { guardedSdkAt } from '../helpers/guard-fixtures';
import { CLIENT_ID, CLIENT_SECRET } from '../helpers/harness';
import { pollUntil } from '../helpers/poll';

/**
 * The pools a runtime builds are closed by its `close()`, over real HTTP and a real Redis. The
 * guarded pools refuse every local address, so the runtime's Node agents reach the test server by
 * a Unix socket (no address to look up: the guard has nothing to refuse), and the undici pools'
 * running requests are shown on a pool of OutboundPools' own (allowPrivate), closed the same way.
 */
describe("the runtime's connection pools close with it", () => {
  const dir = mkdtempSync(join(tmpdir(), 'pools-'));
  const socketPath = join(dir, 'portal.sock');
  /** Requests to /slow and /hang wait here; /slow ones are answered by `release()`. */
  const held: Array<{ path: string; res: ServerResponse }> = [];
  const handle = (req: IncomingMessage, res: ServerResponse) => {
    if (req.url === '/fast') res.end('fast');
    else held.push({ path: req.url ?? '', res });
  };
  const unixServer = createServer(handle);
  const tcpServer = createServer(handle);
  let tcpUrl = '';
  let redis: Redis;
  const runtimes: Runtime[] = [];

  const release = () => {
    for (const { res } of held.splice(0).filter(({ path }) => path === '/slow')) res.end('slow');
  };
  const untilHeld = (path: string) => pollUntil(() => held.some((h) => h.path === path), 5000, `a ${path} request`);

  /** A GET through a Node agent to the Unix-socket server, its whole body read (so the socket is freed). */
  const get = (agent: HttpAgent, path: string) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request({ agent, socketPath, host: 'portal.test', path }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          body += chunk;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end();
    });
  const socketCount = (agent: HttpAgent) =>
    [...Object.values(agent.sockets), ...Object.values(agent.freeSockets)].reduce(
      (sum, sockets) => sum + (sockets?.length ?? 0),
      0,
    );

  beforeAll(async () => {
    await new Promise<void>((resolve) => unixServer.listen(socketPath, resolve));
    await new Promise<void>((resolve) => tcpServer.listen(0, '127.0.0.1', resolve));
    tcpUrl = `http://127.0.0.1:${(tcpServer.address() as AddressInfo).port}`;
    redis = new Redis(process.env.TEST_REDIS_URL ?? '', { maxRetriesPerRequest: null });
  });
  afterEach(() => {
    for (const { res } of held.splice(0)) res.destroy();
  });
  afterAll(async () => {
    for (const rt of runtimes) await rt.close();
    redis.disconnect();
    unixServer.closeAllConnections();
    tcpServer.closeAllConnections();
    await Promise.all([
      new Promise((resolve) => unixServer.close(resolve)),
      new Promise((resolve) => tcpServer.close(resolve)),
    ]);
    rmSync(dir, { recursive: true, force: true });
  });

  /** As production builds it (ALLOW_PRIVATE_ADDRESSES off, so the connect-time guard is on), unless `env` says otherwise. */
  function guardedRuntime(env: Record<string, string> = {}): Runtime {
    const prefix = `pools${Date.now().toString(36)}${runtimes.length}`;
    const rt = createRuntime({
      config: loadConfig({
        PUBLIC_URL: 'https://app.example',
        REDIS_URL: process.env.TEST_REDIS_URL ?? '',
        B24_CLIENT_ID: CLIENT_ID,
        B24_CLIENT_SECRET: CLIENT_SECRET,
        WA_APP_SECRET: 'app-secret',
        WA_VERIFY_TOKEN: 'verify-token',
        SECRETS_KEY: 'e'.repeat(64),
        LOG_LEVEL: 'silent',
        ALLOW_PRIVATE_ADDRESSES: '0',
        ...env,
      }),
      redis,
      log: createLogger('silent'),
      keyPrefix: prefix,
      queuePrefix: `bull-${prefix}`,
      resolve: async () => ['127.0.0.1'],
    });
    runtimes.push(rt);
    return rt;
  }

  it('closes every pool it built: a running request completes, idle sockets go, later requests fail retryably', async () => {
    const rt = guardedRuntime();
    // The portals' `batch` pool, the Cloud API sends', the address policy's; the SDK's http and https agents.
    expect(rt.pools.agents).toHaveLength(3);
    expect(rt.pools.agents).toContain(rt.addresses.dispatcher);
    expect(rt.pools.nodeAgents).toHaveLength(2);
    const [httpAgent] = rt.pools.nodeAgents;
    if (!httpAgent) throw new Error('no http agent');
    const running = get(httpAgent, '/slow');
    await untilHeld('/slow');
    // A second socket, beside the running one's: kept alive for the next request until the runtime closes.
    expect(await get(httpAgent, '/fast')).toEqual({ status: 200, body: 'fast' });
    expect(Object.values(httpAgent.freeSockets).flat()).toHaveLength(1);
    expect(Object.values(httpAgent.sockets).flat()).toHaveLength(1);

    const closing = rt.close();
    await pollUntil(() => rt.pools.closed, 5000, 'the pools closing');
    const late = await get(httpAgent, '/fast').catch((e: unknown) => e);
    expect(late).toBeInstanceOf(PoolClosedError);
    expect(late).toMatchObject({ code: 'pool_closed', retryable: true });
    for (const agent of rt.pools.agents) {
      const refused = await undiciRequest('http://portal.test/rest/batch', { dispatcher: agent }).catch((e) => e);
      expect(refused).toBeInstanceOf(PoolClosedError);
    }
    // fetch (file links, event deliveries) wraps it: the callers find it as the cause.
    const fetched = await fetchThrough(rt.addresses.dispatcher, 'http://files.test/f', {}).catch((e: unknown) => e);
    expect(poolClosedIn(fetched)).toBeInstanceOf(PoolClosedError);

    release();
    expect(await running).toEqual({ status: 200, body: 'slow' });
    await closing;
    for (const agent of rt.pools.agents) expect(agent).toMatchObject({ closed: true, destroyed: true });
    for (const agent of rt.pools.nodeAgents) expect(socketCount(agent)).toBe(0);
    // Closing again (as a second signal or a test's afterAll would) changes nothing and does not throw.
    await expect(Promise.all([rt.close(), rt.close()])).resolves.toEqual([undefined, undefined]);
  });

  it("owns the Cloud API sends' pool (and, unguarded, `batch`'s): a send running at the close is cut, a later one is not sent", async () => {
    const rt = guardedRuntime({ ALLOW_PRIVATE_ADDRESSES: '1', WA_GRAPH_URL: tcpUrl });
    // Unguarded: the portals' `batch` pool and the sends'; the SDK keeps Node's globalAgent.
    expect(rt.pools.agents).toHaveLength(2);
    expect(rt.pools.nodeAgents).toHaveLength(0);
    const line: Line = {
      id: 'main',
      memberId: 'm1',
      provider: 'cloud',
      phoneNumberId: '1066',
      accessToken: 'EAAG-x',
      name: 'Main',
      createdAt: 0,
    };
    const message = { to: '79990001122', content: { type: 'text' as const, body: 'hi' } };
    const running = rt
      .providerFor(line)
      .send(message)
      .catch((e: unknown) => e);
    await untilHeld(`/${rt.config.WA_GRAPH_VERSION}/1066/messages`);
    await rt.close({ poolGraceMs: 100 });
    // Cut after it left: maybe sent.
    expect(await running).toMatchObject({ code: 'provider_unavailable', retryable: true, outcomeUnknown: true });
    const late = await rt
      .providerFor(line)
      .send(message)
      .catch((e: unknown) => e);
    expect(late).toMatchObject({ code: 'provider_unavailable', retryable: true, outcomeUnknown: false });
    expect(String(late)).toMatch(/connection pool is closed/);
    for (const agent of rt.pools.agents) expect(agent).toMatchObject({ closed: true, destroyed: true });
  });

  it('on the Bitrix paths a closed pool is a retryable NETWORK_ERROR that keeps its PoolClosedError (nothing sent)', async () => {
    const pools = new OutboundPools();
    const batchPool = pools.undici({ allowPrivate: true });
    const nodeAgents = pools.node(async () => ['127.0.0.1']);
    await pools.close();
    const batch = await postBatch(`${tcpUrl}/rest`, 'token', { a: 'app.info' }, batchPool).catch((e: unknown) => e);
    expect(batch).toBeInstanceOf(BitrixError);
    expect(batch).toMatchObject({ code: 'NETWORK_ERROR', retryable: true });
    expect(poolClosedIn(batch)).toBeInstanceOf(PoolClosedError);
    // The SDK's axios over the closed Node agents: the SDK wraps it as its `originalError`.
    const sdk = guardedSdkAt(`http://portal.test:${new URL(tcpUrl).port}/rest/`, nodeAgents);
    const sdkError = await sdk.actions.v2.call.make({ method: 'app.info', params: {} }).catch((e: unknown) => e);
    expect(sdkPoolClosed(sdkError)).toBeInstanceOf(PoolClosedError);
    expect(held).toEqual([]);
  });

  it("the runtime's close closes the pools even when the queues' close fails, rethrows that, and warns of a cut once", async () => {
    const pools = new OutboundPools(100);
    const agent = pools.undici({ allowPrivate: true });
    const hung = undiciRequest(`${tcpUrl}/hang`, { dispatcher: agent }).catch((e: unknown) => e);
    await untilHeld('/hang');
    const warnings: unknown[] = [];
    // The queues' close as with Redis down at shutdown (BullMQ's own failure needs a Redis that dies mid-close).
    const queues = { close: () => Promise.reject(new Error('Connection is closed.')) };
    const close = runtimeCloser({ queues, pools, log: { warn: (fields: unknown) => void warnings.push(fields) } });
    await expect(close()).rejects.toThrow('Connection is closed.');
    expect(pools.closed).toBe(true);
    expect(agent).toMatchObject({ closed: true, destroyed: true });
    expect(await hung).toMatchObject({ code: 'UND_ERR_DESTROYED' });
    // A second close (a second signal) waits for the same one: same error, no second warning.
    await expect(close()).rejects.toThrow('Connection is closed.');
    expect(warnings).toEqual([{ pools: 1 }]);
  });

  it("an undici pool's running request completes before its close ends; a new one is refused at once", async () => {
    const pools = new OutboundPools();
    const agent = pools.undici({ allowPrivate: true });
    const running = undiciRequest(`${tcpUrl}/slow`, { dispatcher: agent }).then(async (answer) => ({
      status: answer.statusCode,
      body: await answer.body.text(),
    }));
    await untilHeld('/slow');
    const closing = pools.close();
    await expect(undiciRequest(`${tcpUrl}/fast`, { dispatcher: agent })).rejects.toBeInstanceOf(PoolClosedError);
    expect(agent.destroyed).toBe(false);
    release();
    expect(await running).toEqual({ status: 200, body: 'slow' });
    expect(await closing).toBe(0);
    expect(agent).toMatchObject({ closed: true, destroyed: true });
    expect(await pools.close()).toBe(0);
  });

  it('requests still running at the end of the grace are cut, and the close says how many pools it cut', async () => {
    const pools = new OutboundPools(200);
    const agent = pools.undici({ allowPrivate: true });
    const { httpAgent } = pools.node(async () => ['127.0.0.1']);
    const undiciHung = undiciRequest(`${tcpUrl}/hang`, { dispatcher: agent }).catch((e: unknown) => e);
    const nodeHung = get(httpAgent, '/hang').catch((e: unknown) => e);
    await pollUntil(() => held.filter((h) => h.path === '/hang').length === 2, 5000, 'both /hang requests');
    expect(await pools.close()).toBe(2);
    expect(await undiciHung).toMatchObject({ code: 'UND_ERR_DESTROYED' });
    // Node's own error (another realm than the test's: matched by its code).
    expect(await nodeHung).toMatchObject({ code: 'ECONNRESET' });
    expect(agent.destroyed).toBe(true);
    expect(socketCount(httpAgent)).toBe(0);
  });

  it('a pool with requests queued for a free connection still ends its close shortly after the grace', async () => {
    const pools = new OutboundPools(200);
    const agent = pools.undici({ allowPrivate: true, connections: 2 });
    // Two requests on the pool's two connections, the third queued for one of them; none is answered.
    const hung = [1, 2, 3].map((n) =>
      undiciRequest(`${tcpUrl}/hang`, { dispatcher: agent, headers: { 'x-n': String(n) } }).catch((e: unknown) => e),
    );
    await pollUntil(() => held.filter((h) => h.path === '/hang').length === 2, 5000, 'two /hang requests');
    // undici parks a close with a queue until a drain that never comes: the close must not wait for it.
    let timer: NodeJS.Timeout | undefined;
    const hangs = new Promise<'still closing'>((resolve) => {
      timer = setTimeout(() => resolve('still closing'), 200 + POOL_CUT_SETTLE_MS + 1500);
    });
    const ended = await Promise.race([pools.close(), hangs]).finally(() => clearTimeout(timer));
    expect(ended).toBe(1);
    for (const request of await Promise.all(hung)) expect(request).toMatchObject({ code: 'UND_ERR_DESTROYED' });
    expect(agent.destroyed).toBe(true);
  });

  it('a close given its own grace (what is left of a shutdown budget) cuts after it, not after the default', async () => {
    const pools = new OutboundPools();
    const agent = pools.undici({ allowPrivate: true });
    const hung = undiciRequest(`${tcpUrl}/hang`, { dispatcher: agent }).catch((e: unknown) => e);
    await untilHeld('/hang');
    // Well before the default grace (10 s) ends.
    let timer: NodeJS.Timeout | undefined;
    const graceDefault = new Promise<'default grace'>((resolve) => {
      timer = setTimeout(() => resolve('default grace'), 100 + POOL_CUT_SETTLE_MS + 1500);
    });
    expect(await Promise.race([pools.close(100), graceDefault]).finally(() => clearTimeout(timer))).toBe(1);
    expect(await hung).toMatchObject({ code: 'UND_ERR_DESTROYED' });
  });
});
