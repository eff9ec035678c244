import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { createOpenLineSettingsDoor, type OpenLineSettingsDeps } from '../../app/doors/open-line-settings-door';
import { formBody } from '../../app/middleware/body-parsers';
import { createErrorHandler } from '../../app/middleware/error-handler';
import { endpoints } from '../../config/endpoints';
import { createOutboundAgent } from '../../lib/connect-guard';
import { createLogger } from '../../lib/logger';
import type { Portal } from '../../store/portal-store';

/**
 * The doors that call a portal's stored address on a caller's say-so (anyone may POST a known
 * `member_id`) connect through the guarded pool: a portal whose name rebinds to loopback is not
 * reached. The injected resolver is the only stand-in.
 */
describe('doors calling the portal apply the address policy when connecting', () => {
  let internal: Server;
  let internalPort: number;
  const hits: string[] = [];
  const agent = createOutboundAgent({ allowPrivate: false, resolve: async () => ['127.0.0.1'] });

  beforeAll(async () => {
    internal = createServer((req, res) => {
      hits.push(`${req.method} ${req.url}`);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"result":{"ID":"1","ADMIN":true}}');
    });
    await new Promise<void>((resolve) => internal.listen(0, '127.0.0.1', resolve));
    internalPort = (internal.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await agent.close();
    await new Promise((resolve) => internal.close(resolve));
  });

  /** The door alone, with a portal installed at `rebind.test` (a name the install's check found public). */
  async function serveDoor(): Promise<{ url: string; close(): Promise<void> }> {
    // cast: the door reads only these two fields before the portal's `profile` call is refused.
    const portal = { memberId: 'm1', clientEndpoint: `http://rebind.test:${internalPort}/rest/` } as Portal;
    // Only what the door reads before the portal confirms the user; `lines`/`openLines` are never reached.
    const deps = {
      portals: { get: async () => portal },
      lines: { list: async () => [] },
      openLines: { forOpenLine: async () => undefined },
      openLineSetup: {},
      addresses: { dispatcher: agent },
    } as unknown as OpenLineSettingsDeps; // cast: the attach deps are not used by a page that is refused first
    const app = express();
    app.use(formBody());
    app.use(createOpenLineSettingsDoor(deps));
    app.use(createErrorHandler(createLogger('silent')));
    const server = createServer(app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    return {
      url: `http://127.0.0.1:${port}${endpoints.openLineSettings}`,
      close: () => new Promise((resolve) => server.close(() => resolve())),
    };
  }

  it("the open-line settings placement's `profile` call does not reach a rebinding portal", async () => {
    const door = await serveDoor();
    try {
      const body = new URLSearchParams({ member_id: 'm1', AUTH_ID: 'x', PLACEMENT_OPTIONS: '{"LINE":"1"}' });
      const response = await fetch(door.url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body,
      });
      const text = await response.text();
      expect(response.status).toBe(403);
      expect(text).toContain('address_refused');
      expect(hits).toEqual([]);
    } finally {
      await door.close();
    }
  });
});
