import { createServer, type Server } from 'node:net';
import { sdkAddressRefusal } from '../../bitrix/guarded-sdk';
import type { LookupAll } from '../../lib/address-policy';
import { createGuardedNodeAgents, type GuardedNodeAgents } from '../../lib/connect-guard';
import { guardedSdkAt } from '../helpers/guard-fixtures';

/**
 * HTTP(S)_PROXY in the environment: axios (the SDK's) would tunnel https through an agent of its own
 * (no guard) and send http to the proxy's address (the guard checking the proxy, not the portal).
 * The guarded SDK goes direct, as the app's undici requests do: the proxy sees nothing and the
 * guard judges the portal's own name.
 */
describe("the SDK's guarded REST calls ignore an environment proxy", () => {
  let proxy: Server;
  const seen: string[] = [];
  const saved = {
    HTTP_PROXY: process.env.HTTP_PROXY,
    HTTPS_PROXY: process.env.HTTPS_PROXY,
    NO_PROXY: process.env.NO_PROXY,
  };
  const agents: GuardedNodeAgents[] = [];

  beforeAll(async () => {
    // Records the first line of whatever comes (a CONNECT, or an absolute-URL request) and answers 502.
    proxy = createServer((socket) =>
      socket.once('data', (data) => {
        seen.push(data.toString().split('\r\n')[0] ?? '');
        socket.end('HTTP/1.1 502 Bad Gateway\r\ncontent-length: 0\r\n\r\n');
      }),
    );
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    const { port } = proxy.address() as { port: number };
    process.env.HTTP_PROXY = `http://127.0.0.1:${port}`;
    process.env.HTTPS_PROXY = `http://127.0.0.1:${port}`;
    process.env.NO_PROXY = '';
  });
  afterAll(async () => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    for (const { httpAgent, httpsAgent } of agents) {
      httpAgent.destroy();
      httpsAgent.destroy();
    }
    await new Promise((resolve) => proxy.close(resolve));
  });

  function sdkAt(clientEndpoint: string, resolve: LookupAll) {
    const nodeAgents = createGuardedNodeAgents(resolve);
    agents.push(nodeAgents);
    return guardedSdkAt(clientEndpoint, nodeAgents);
  }

  it.each(['http', 'https'])(
    'an %s portal rebinding to a private address is refused by the guard, not the proxy',
    async (scheme) => {
      seen.length = 0;
      const asked: string[] = [];
      const resolve: LookupAll = async (host) => {
        asked.push(host);
        return ['169.254.169.254'];
      };
      const sdk = sdkAt(`${scheme}://portal.test/rest/`, resolve);
      const error = await sdk.actions.v2.call.make({ method: 'app.info', params: {} }).catch((e: unknown) => e);
      expect(sdkAddressRefusal(error)).toMatchObject({ code: 'address_refused', address: '169.254.169.254' });
      expect(asked).toEqual(['portal.test']);
      expect(seen).toEqual([]);
    },
  );
});
