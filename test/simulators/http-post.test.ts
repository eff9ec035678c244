/** What the simulators' outbound POSTs (webhooks, robot calls, events) send and report. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { postForm, postRaw } from '../../simulators/shared/http-post';
import { startReceiver } from './receiver';

describe('simulators: outbound POSTs', () => {
  it('sends the body and headers as given, with its length, and reports the answer', async () => {
    const receiver = await startReceiver((_r, i) => (i === 0 ? 200 : 503));
    try {
      const body = JSON.stringify({ name: 'Иван', text: 'a&b' });
      const ok = await postRaw(`${receiver.url}/hook?x=1`, body, {
        'Content-Type': 'application/json',
        'X-Hub-Signature-256': 'sha256=ab',
      });
      const refused = await postForm(`${receiver.url}/form`, 'a%5Bb%5D=1');
      expect(ok).toEqual({ status: 200, body: 'ok' });
      expect(refused).toEqual({ status: 503, body: 'no' });
      const [first, second] = await receiver.waitFor(2);
      expect(first).toMatchObject({ method: 'POST', path: '/hook?x=1', raw: body });
      expect(first?.headers['content-type']).toBe('application/json');
      expect(first?.headers['x-hub-signature-256']).toBe('sha256=ab');
      expect(first?.headers['content-length']).toBe(String(Buffer.byteLength(body)));
      expect(second).toMatchObject({ path: '/form', raw: 'a%5Bb%5D=1' });
      expect(second?.headers['content-type']).toBe('application/x-www-form-urlencoded');
    } finally {
      await receiver.stop();
    }
  });

  // The app answers no redirect: one added by mistake shows up as the 3xx, not as the page it points to.
  it('reports a redirect as it is, without following it', async () => {
    const hits: string[] = [];
    const server: Server = createServer((req, res) => {
      hits.push(`${req.method} ${req.url}`);
      req.resume();
      if (req.url === '/moved') res.writeHead(307, { Location: '/elsewhere' }).end('moved');
      else res.end('elsewhere');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      expect(await postRaw(`http://127.0.0.1:${port}/moved`, '{}', {})).toEqual({ status: 307, body: 'moved' });
      expect(hits).toEqual(['POST /moved']);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('reports an unreachable address or a bad URL as status 0 with the reason, never throwing', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    await new Promise((resolve) => server.close(resolve));
    const unreachable = await postRaw(`http://127.0.0.1:${port}/hook`, '{}', {});
    expect(unreachable.status).toBe(0);
    expect(unreachable.body).toMatch(/ECONNREFUSED|connect/i);
    const bad = await postRaw('not a url', '{}', {});
    expect(bad.status).toBe(0);
    expect(bad.body).not.toBe('');
  });
});
