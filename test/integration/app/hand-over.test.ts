import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type ErrorRequestHandler } from 'express';
import { createHandOver } from '../../../app/doors/hand-over';

/** A read whose shape has an `error` field of its own: it must still reach the route as a read. */
type ReadWithError = { body: string; error: string };

describe('hand-over from a direct path to its Express route', () => {
  const handOver = createHandOver<ReadWithError>();
  let server: Server;
  let url: string;

  beforeAll(async () => {
    const app = express();
    app.post(
      '/door',
      handOver.step((req, read) => {
        req.body = read;
      }),
      (req, res) => {
        res.json({ route: req.body });
      },
    );
    const answerError: ErrorRequestHandler = (error, _req, res, _next) => {
      res.status(500).json({ handlers: String(error) });
    };
    app.use(answerError);
    // As a direct path does: hand over (a read or an error, as the request asks), then pass to Express.
    server = createServer((req, res) => {
      if (req.headers['x-hand'] === 'read') handOver.give(req, { body: 'the body', error: 'a field of the read' });
      if (req.headers['x-hand'] === 'error') handOver.fail(req, new Error('redis down'));
      if (req.headers['x-hand'] === 'undefined') handOver.fail(req, undefined);
      app(req, res);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/door`; // listening on an IP: an AddressInfo
  });
  afterAll(() => {
    server.close();
  });

  const post = async (hand: string) => {
    const response = await fetch(url, { method: 'POST', headers: { 'x-hand': hand } });
    return { status: response.status, body: await response.json() };
  };

  it('a read with an `error` field is a read: the route takes it up, the error handlers never see it', async () => {
    expect(await post('read')).toEqual({
      status: 200,
      body: { route: { body: 'the body', error: 'a field of the read' } },
    });
  });

  it('a handed-over error goes to the error handlers', async () => {
    expect(await post('error')).toEqual({ status: 500, body: { handlers: 'Error: redis down' } });
  });

  it('a handed-over error of undefined still goes to the error handlers, never on to the route', async () => {
    expect(await post('undefined')).toEqual({
      status: 500,
      body: { handlers: 'Error: direct path failed: undefined' },
    });
  });

  it('a request not handed over passes as it came', async () => {
    expect(await post('none')).toEqual({ status: 200, body: {} });
  });
});
