import type { AddressInfo } from 'node:net';
import express from 'express';
import { jsonBody } from '../../../app/middleware/body-parsers';

/**
 * The prototype-key walk is skipped only for a body a parser of ours marked as checked, never
 * because some step before happened to set `req.body` (a door mounted ahead of the shared parsers).
 */
describe('body parsers: a body set by an earlier step is still checked', () => {
  it('drops prototype-named keys from a body another middleware put there', async () => {
    const app = express();
    app.use((req, _res, next) => {
      req.body = JSON.parse('{"a":{"__proto__":{"polluted":1},"b":2},"constructor":{"prototype":{"x":1}}}');
      next();
    });
    app.use(jsonBody());
    app.use((req, res) => {
      res.json(req.body);
    });
    const server = app.listen(0, '127.0.0.1');
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    try {
      const { port } = server.address() as AddressInfo; // listening on TCP: an AddressInfo
      const answer = await fetch(`http://127.0.0.1:${port}/`);
      expect(answer.status).toBe(200);
      const text = await answer.text();
      expect(text).not.toContain('__proto__');
      expect(text).not.toContain('constructor');
      expect(JSON.parse(text)).toEqual({ a: { b: 2 } });
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
