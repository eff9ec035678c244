import type { AddressInfo } from 'node:net';
import express from 'express';
import { warnUntrustedForwardedFor } from '../../../app/middleware/forwarded-for-check';
import { createLogger } from '../../../lib/logger';

/** An Express app with the check, trusting `trust`, over real HTTP; resolves with its URL and the warnings logged. */
async function serve(trust: string[]) {
  const lines: string[] = [];
  const log = createLogger('warn', { write: (line: string) => void lines.push(line) });
  const app = express();
  app.set('trust proxy', trust);
  app.use(warnUntrustedForwardedFor(log));
  app.get('/', (req, res) => void res.send(req.ip));
  const server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const { port } = server.address() as AddressInfo; // a TCP server's address
  const warnings = () => lines.map((line) => JSON.parse(line) as { peer?: string; msg?: string });
  return { url: `http://127.0.0.1:${port}/`, warnings, close: () => server.close() };
}

describe('X-Forwarded-For from a peer TRUST_PROXY does not trust', () => {
  it('is ignored and said once per peer', async () => {
    const s = await serve(['10.0.0.0/8']);
    try {
      const ips: string[] = [];
      for (const forwarded of ['203.0.113.1', '203.0.113.2'])
        ips.push(await (await fetch(s.url, { headers: { 'x-forwarded-for': forwarded } })).text());
      expect(ips).toEqual(['127.0.0.1', '127.0.0.1']);
      expect(s.warnings()).toEqual([
        expect.objectContaining({ peer: '127.0.0.1', msg: expect.stringContaining('TRUST_PROXY does not trust') }),
      ]);
    } finally {
      s.close();
    }
  });

  it('says nothing for a trusted peer or a request without the header', async () => {
    const s = await serve(['loopback']);
    try {
      expect(await (await fetch(s.url, { headers: { 'x-forwarded-for': '203.0.113.9' } })).text()).toBe('203.0.113.9');
      expect(await (await fetch(s.url)).text()).toBe('127.0.0.1');
      expect(s.warnings()).toEqual([]);
    } finally {
      s.close();
    }
  });
});
