import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { createApp } from '../../../app/create-app';
import { startWebServer } from '../../../app/web-server';
import { endpoints } from '../../../config/endpoints';
import { createLogger } from '../../../lib/logger';
import { createHarness, type Harness } from '../../helpers/harness';
import { postRaw } from '../../helpers/raw-http';

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
    const { server } = await startWebServer(app, { port: 0, host: '127.0.0.1', log });
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

  /** The web process' doors with each enqueue held until the test lets it through. */
  async function heldWeb() {
    const { log } = capturedLog();
    let reached: () => void = () => undefined;
    const enqueued = new Promise<void>((resolve) => {
      reached = resolve;
    });
    let release: () => void = () => undefined;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    /** What happened, in order: each enqueue done, and the stop (main closes the queues after it). */
    const order: string[] = [];
    const queues = {
      ...h.rt.queues,
      enqueueRunAction: async (input: Parameters<typeof h.rt.queues.enqueueRunAction>[0]) => {
        reached();
        await released;
        const job = await h.rt.queues.enqueueRunAction(input);
        order.push('queued');
        return job;
      },
    };
    const web = await startWebServer(createApp({ ...h.rt, queues }), { port: 0, host: '127.0.0.1', log });
    return { web, url: `http://127.0.0.1:${portOf(web.server)}${endpoints.robot}`, enqueued, release, order };
  }

  const robotCall = (eventToken: string) => {
    const { applicationToken } = h.portal.currentTokens();
    return {
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body:
        `workflow_id=wf-1&code=wa_send_text&document_id%5B0%5D=crm&document_id%5B1%5D=CCrmDocumentDeal` +
        `&document_id%5B2%5D=DEAL_1&event_token=${eventToken}&properties%5Btext%5D=Hi` +
        `&auth%5Bmember_id%5D=${h.memberId}&auth%5Bapplication_token%5D=${applicationToken}`,
    };
  };

  it('stop: refuses new connections, answers the call in progress once queued, then resolves', async () => {
    const { web, url, enqueued, release, order } = await heldWeb();
    const answer = postRaw(url, robotCall('evt-stop'));
    await enqueued;
    const stopped = web.stop(30_000).then((outcome) => {
      order.push('stopped');
      return outcome;
    });
    expect(web.server.listening).toBe(false);
    await expect(postRaw(url, robotCall('evt-too-late'))).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    expect(order).toEqual([]);
    release();
    const response = await answer;
    expect(response.status).toBe(200);
    // The client asked to keep the connection (Node's agent does): the answer says it closes, so nothing outlives the stop.
    expect(response.headers.connection).toBe('close');
    expect(await stopped).toBe('drained');
    expect(order).toEqual(['queued', 'stopped']);
    const { job } = JSON.parse(response.text);
    const queued = await h.rt.queues.runAction.getJob(job);
    expect(queued?.data).toMatchObject({ eventToken: 'evt-stop', memberId: h.memberId });
  });

  it('stop: a call still open at the time-out is cut off and the stop resolves', async () => {
    const { web, url, enqueued, release } = await heldWeb();
    const answer = postRaw(url, robotCall('evt-cut'));
    await enqueued;
    try {
      expect(await web.stop(50)).toBe('cut');
      await expect(answer).rejects.toMatchObject({ code: 'ECONNRESET' });
    } finally {
      release();
    }
  });
});
