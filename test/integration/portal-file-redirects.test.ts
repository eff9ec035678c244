import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { downloadPortalFile, type PortalFileDeps } from '../../bitrix/portal-file';
import { createAddressPolicy } from '../../lib/address-policy';
import { createByteBudget } from '../../lib/byte-budget';
import { ActionError } from '../../lib/errors/app-error';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/** An HTTP server on a free loopback port; its origin. */
async function serve(handler: Handler): Promise<{ server: Server; origin: string }> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

// A portal download may redirect; every hop passes the address policy and our token stays on the portal.
describe('portal file downloads follow redirects by hand', () => {
  const seen: string[] = [];
  let portal: { server: Server; origin: string };
  let other: { server: Server; origin: string };
  // The real policy (no private addresses); the two loopback test servers stand for public hosts.
  const policy = createAddressPolicy({ allowPrivate: false });
  const refusal = (url: string) =>
    new URL(url).hostname === '127.0.0.1' ? Promise.resolve(undefined) : policy.refusal(url);

  beforeAll(async () => {
    other = await serve((req, res) => {
      seen.push(req.url ?? '');
      res.writeHead(200, { 'content-type': 'application/pdf' }).end('%PDF elsewhere');
    });
    portal = await serve((req, res) => {
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      if (path === '/to-metadata') res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' }).end();
      else if (path === '/to-other')
        res.writeHead(302, { location: `${other.origin}/a.pdf${req.url?.slice(9)}` }).end();
      else if (path === '/loop') res.writeHead(302, { location: '/loop' }).end();
      else if (path === '/to-self') res.writeHead(301, { location: '/file.pdf' }).end();
      else res.writeHead(200, { 'content-type': 'application/pdf' }).end(`%PDF ${req.url}`);
    });
  });
  afterAll(async () => {
    for (const s of [portal.server, other.server]) await new Promise((resolve) => s.close(resolve));
  });

  const budget = createByteBudget(4096);
  function deps(): PortalFileDeps {
    return {
      bitrix: { call: () => Promise.reject(new Error('no REST call expected')) },
      portal: { clientEndpoint: `${portal.origin}/rest/`, accessToken: 'app-token' },
      refusal,
      // The portal simulator is on loopback: the default pool (its redirects are judged by `refusal`).
      dispatcher: undefined,
      maxBytesOf: () => 1024,
      budget,
    };
  }

  async function failure(path: string): Promise<ActionError> {
    const error = await downloadPortalFile(deps(), { fileValue: `${portal.origin}${path}` }).catch((e: unknown) => e);
    if (!(error instanceof ActionError)) throw new Error(`expected an ActionError, got ${String(error)}`);
    return error;
  }

  it('a redirect to a private address is refused before it is fetched, not retried', async () => {
    const error = await failure('/to-metadata');
    expect(error.code).toBe('file_download_failed');
    expect(error.retryable).toBe(false);
    expect(error.message).toContain('address refused: http://169.254.169.254');
  });

  it('a redirect leaving the portal loses the app token', async () => {
    const file = await downloadPortalFile(deps(), { fileValue: `${portal.origin}/to-other?x=1` });
    expect(Buffer.concat(file.chunks).toString()).toBe('%PDF elsewhere');
    expect(seen).toHaveLength(1);
    expect(seen[0]).toContain('x=1');
    expect(seen[0]).not.toContain('app-token');
    // The file holds its limit of the process's byte budget until its bytes are dropped.
    expect(budget.held()).toBe(1024);
    file.release();
    expect(budget.held()).toBe(0);
  });

  it('a redirect on the portal keeps the token; more than 3 hops is an error', async () => {
    const file = await downloadPortalFile(deps(), { fileValue: `${portal.origin}/to-self` });
    expect(Buffer.concat(file.chunks).toString()).toBe('%PDF /file.pdf?auth=app-token');
    const error = await failure('/loop');
    expect(error.message).toContain('more than 3 redirects');
  });
});
