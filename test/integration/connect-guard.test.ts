import { createServer, get, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent } from 'undici';
import { postBatch } from '../../bitrix/batch-post';
import { BitrixError } from '../../bitrix/bitrix-error';
import { sdkAddressRefusal } from '../../bitrix/guarded-sdk';
import { postEvent } from '../../hooks/hook-post';
import { createAddressPolicy, type LookupAll } from '../../lib/address-policy';
import { systemClock } from '../../lib/clock';
import {
  AddressRefusedError,
  createGuardedNodeAgents,
  createOutboundAgent,
  fetchThrough,
} from '../../lib/connect-guard';
import { ActionError } from '../../lib/errors/app-error';
import { FollowError, fetchFollowing } from '../../lib/fetch-following';
import { createGreenApiProvider } from '../../providers/green-api/green-api-provider';
import { guardedSdkAt } from '../helpers/guard-fixtures';

/**
 * DNS rebinding over real HTTP: the name answers the address policy a public address and the
 * connection 127.0.0.1, where a local server stands for an internal service. The injected resolvers
 * are the only stand-ins; the pools, sockets and servers are the app's and Node's own.
 */
describe('the address policy applies again when connecting', () => {
  let server: Server;
  let port: number;
  const hits: string[] = [];
  const agents: Agent[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      hits.push(req.url ?? '');
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"result":{"result":{}}}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await Promise.all(agents.map((agent) => agent.close()));
    await new Promise((resolve) => server.close(resolve));
  });
  beforeEach(() => {
    hits.length = 0;
  });

  /** Answers `address` for every name, counting the questions. */
  function resolver(address: string): LookupAll & { asked: string[] } {
    const asked: string[] = [];
    return Object.assign(
      async (host: string) => {
        asked.push(host);
        return [address];
      },
      { asked },
    );
  }
  const checkTime = resolver('93.184.216.34');
  const policy = createAddressPolicy({ allowPrivate: false, lookup: checkTime });
  function guardedAgent(connectTime = resolver('127.0.0.1')): Agent {
    const agent = createOutboundAgent({ allowPrivate: false, resolve: connectTime });
    agents.push(agent);
    return agent;
  }
  const url = (host: string, path = '/file') => `http://${host}:${port}${path}`;

  it('a file link the policy passed is refused when its name rebinds to loopback; nothing reaches the server', async () => {
    expect(await policy.refusal(url('rebind.test'))).toBeUndefined();
    const error = await fetchFollowing(new URL(url('rebind.test')), {
      refusal: (target) => policy.refusal(target),
      dispatcher: guardedAgent(),
      maxRedirects: 3,
      hopSignal: () => AbortSignal.timeout(5000),
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FollowError);
    expect(error).toMatchObject({ failure: { reason: 'refused', refusal: expect.stringContaining('127.0.0.1') } });
    expect(hits).toEqual([]);
  });

  it('without the guard the same rebinding reaches the internal server (what the guard closes)', async () => {
    const rebinding = new Agent({
      connect: { lookup: (_host, _options, callback) => callback(null, [{ address: '127.0.0.1', family: 4 }]) },
    });
    agents.push(rebinding);
    const { response } = await fetchFollowing(new URL(url('rebind.test')), {
      refusal: (target) => policy.refusal(target),
      dispatcher: rebinding,
      maxRedirects: 3,
      hopSignal: () => AbortSignal.timeout(5000),
    });
    await response.body?.cancel();
    expect(hits).toEqual(['/file']);
  });

  it("a portal's batch post is refused with a Bitrix24 error that is not retried", async () => {
    const error = await postBatch(url('portal.test', '/rest'), 'token', { a: 'app.info' }, guardedAgent()).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(BitrixError);
    expect(error).toMatchObject({ code: 'ADDRESS_REFUSED', retryable: false });
    expect(hits).toEqual([]);
  });

  it('an event subscriber is not posted to', async () => {
    const outcome = await postEvent({
      url: url('hooks.test', '/hook'),
      body: '{}',
      eventId: 'e1',
      secret: 's',
      timeoutMs: 5000,
      clock: systemClock,
      refusal: (target) => policy.refusal(target),
      dispatcher: guardedAgent(),
    });
    expect(outcome).toMatchObject({ ok: false, httpStatus: 0, error: expect.stringMatching(/^address refused: /) });
    expect(hits).toEqual([]);
  });

  it("a Green-API line's host ends the call as address_refused, nothing sent", async () => {
    const provider = createGreenApiProvider(
      { clock: systemClock, dispatcher: guardedAgent() },
      { apiUrl: url('green.test', ''), idInstance: '1101', apiTokenInstance: 'tok' },
    );
    const error = await provider
      .send({ to: '79161234567', content: { type: 'text', body: 'hi' } })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ActionError);
    expect(error).toMatchObject({ code: 'address_refused', retryable: false, outcomeUnknown: false });
    expect(hits).toEqual([]);
  });

  it("the SDK's REST calls (axios over Node's agents) are refused too", async () => {
    const sdk = guardedSdkAt(url('portal.test', '/rest/'), createGuardedNodeAgents(resolver('169.254.169.254')));
    const error = await sdk.actions.v2.call.make({ method: 'app.info', params: {} }).catch((e: unknown) => e);
    expect(sdkAddressRefusal(error)).toMatchObject({ code: 'address_refused', address: '169.254.169.254' });
    expect(hits).toEqual([]);
  });

  it('a literal private IP (as a redirect Location names it) is refused before connecting, nothing looked up', async () => {
    const connectTime = resolver('93.184.216.34');
    // The check before the request is left out on purpose: the connection refuses on its own.
    const dispatcher = guardedAgent(connectTime);
    const literals: Array<[host: string, address: string]> = [
      ['127.0.0.1', '127.0.0.1'],
      ['[::1]', '::1'],
    ];
    for (const [host, address] of literals) {
      const error = await fetchFollowing(new URL(url(host)), {
        refusal: async () => undefined,
        dispatcher,
        maxRedirects: 3,
        hopSignal: () => AbortSignal.timeout(5000),
      }).catch((e: unknown) => e);
      expect(error).toMatchObject({ failure: { reason: 'refused', refusal: expect.stringContaining(address) } });
    }
    const nodeAgents = createGuardedNodeAgents(connectTime);
    const nodeError = await new Promise((resolve) => {
      get(url('[::ffff:127.0.0.1]'), { agent: nodeAgents.httpAgent }, () => resolve('answered')).on('error', resolve);
    });
    expect(nodeError).toBeInstanceOf(AddressRefusedError);
    expect(connectTime.asked).toEqual([]);
    expect(hits).toEqual([]);
  });

  it('a redirect to a literal private IP is refused by the policy on every hop (kept)', async () => {
    const redirecting = createServer((_req, res) => res.writeHead(302, { location: url('127.0.0.1') }).end());
    await new Promise<void>((resolve) => redirecting.listen(0, '127.0.0.1', resolve));
    const first = `http://127.0.0.1:${(redirecting.address() as AddressInfo).port}/start`;
    // The first hop stands for a public host (loopback is all a test has); the Location's literal is judged for real.
    const open = createOutboundAgent({ allowPrivate: true });
    agents.push(open);
    const error = await fetchFollowing(new URL(first), {
      refusal: (target) => (target === first ? Promise.resolve(undefined) : policy.refusal(target)),
      dispatcher: open,
      maxRedirects: 3,
      hopSignal: () => AbortSignal.timeout(5000),
    }).catch((e: unknown) => e);
    await new Promise((resolve) => redirecting.close(resolve));
    expect(error).toMatchObject({ failure: { reason: 'refused', refusal: expect.stringContaining('127.0.0.1') } });
    expect(hits).toEqual([]);
  });

  it('with ALLOW_PRIVATE_ADDRESSES the pool connects anywhere and looks nothing up', async () => {
    const connectTime = resolver('10.0.0.1');
    const open = createOutboundAgent({ allowPrivate: true, resolve: connectTime });
    agents.push(open);
    const response = await fetchThrough(open, url('127.0.0.1', '/open'), {});
    expect(response.status).toBe(200);
    await response.arrayBuffer();
    expect(hits).toEqual(['/open']);
    expect(connectTime.asked).toEqual([]);
  });
});
