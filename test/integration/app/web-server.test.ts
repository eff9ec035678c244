import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { createApp } from '../../../app/create-app';
import { startWebServer } from '../../../app/web-server';
import { createLogger } from '../../../lib/logger';
import { createHarness, type Harness } from '../../helpers/harness';

/** A logger whose lines a test reads. */
function capturedLog() {
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { lines, log: createLogger('info', sink) };
}

const portOf = (server: Server) => (server.address() as AddressInfo).port; // listening on an IP: an AddressInfo

describe('the web server: listening and stopping', () => {
  let h: Harness;
  /** A server holding a port, so that listening there fails. */
  let holder: Server;
  beforeAll(async () => {
    h = await createHarness({ startWorkers: false });
    holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    holder.close();
    await h.close();
  });

  it("createApp's listen: the callback hears of a taken port, and leaves later server errors to the caller", async () => {
    const taken = portOf(holder);
    const error = await new Promise<Error | undefined>((resolve) => {
      createApp(h.rt).listen(taken, '127.0.0.1', resolve);
    });
    expect(error).toMatchObject({ code: 'EADDRINUSE' });
    const server = await new Promise<Server>((resolve) => {
      const s = createApp(h.rt).listen(0, '127.0.0.1', () => resolve(s));
    });
    try {
      expect(server.listenerCount('error')).toBe(0);
    } finally {
      server.close();
    }
  });

  it('startWebServer rejects on a taken port; once listening, a server error is logged', async () => {
    const { lines, log } = capturedLog();
    const app = createApp(h.rt);
    await expect(startWebServer(app, { port: portOf(holder), host: '127.0.0.1', log })).rejects.toMatchObject({
      code: 'EADDRINUSE',
    });
    const server = await startWebServer(app, { port: 0, host: '127.0.0.1', log });
    try {
      server.emit('error', Object.assign(new Error('accept EMFILE'), { code: 'EMFILE' }));
      expect(lines).toEqual([
        expect.objectContaining({ msg: 'http server error', err: expect.objectContaining({ code: 'EMFILE' }) }),
      ]);
      expect(server.listening).toBe(true);
    } finally {
      server.close();
    }
  });
});
