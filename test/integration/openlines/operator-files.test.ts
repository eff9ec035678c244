import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { operatorFileContent } from '../../../openlines/operator-files';

/** A portal's file link that redirects: /short → /file; /bad → /private (refused by the policy below). */
function startPortalFiles(): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    if (req.url === '/short') res.writeHead(302, { location: '/file' }).end();
    else if (req.url === '/bad') res.writeHead(302, { location: '/private/file' }).end();
    else if (req.url === '/loop') res.writeHead(302, { location: '/loop' }).end();
    else res.writeHead(200, { 'content-type': 'image/png' }).end('png');
  });
  // A listening TCP server's address() is an AddressInfo (a string only for pipes).
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }),
    ),
  );
}

describe('operatorFileContent', () => {
  let portal: { server: Server; url: string };
  beforeAll(async () => {
    portal = await startPortalFiles();
  });
  afterAll(async () => {
    await new Promise((r) => portal.server.close(r));
  });
  const checked: string[] = [];
  // The address policy as a rule on paths: /private is an address the app may not fetch.
  const addresses = {
    refusal: async (url: string) => {
      checked.push(new URL(url).pathname);
      return new URL(url).pathname.startsWith('/private') ? 'a private address' : undefined;
    },
    // The portal simulator is on loopback: the default pool, as with ALLOW_PRIVATE_ADDRESSES.
    dispatcher: undefined,
  };

  it('follows the redirects, each hop checked, to the file itself', async () => {
    checked.length = 0;
    const content = await operatorFileContent({ name: 'a.png', link: `${portal.url}/short#img.png` }, addresses);
    expect(content).toMatchObject({ type: 'media', kind: 'image', link: `${portal.url}/file` });
    expect(checked).toEqual(['/short', '/file']);
  });

  it('refuses a redirect to an address the policy refuses, and endless redirects', async () => {
    await expect(operatorFileContent({ name: 'b', link: `${portal.url}/bad` }, addresses)).rejects.toMatchObject({
      code: 'file_refused',
    });
    await expect(operatorFileContent({ name: 'c', link: `${portal.url}/loop` }, addresses)).rejects.toMatchObject({
      code: 'file_refused',
    });
  });
});
