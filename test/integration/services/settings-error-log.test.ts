import { Writable } from 'node:stream';
import express from 'express';
import { createSettingsErrorHandler } from '../../../app/settings/settings-errors';
import { createLogger } from '../../../lib/logger';

describe('settings error log: no page session in it (HTTP)', () => {
  it('logs a failed board request without its session', async () => {
    const written: string[] = [];
    const sink = new Writable({
      write(chunk, _encoding, done) {
        written.push(String(chunk));
        done();
      },
    });
    const app = express();
    app.get('/b24/settings/queues/:session/api/queues', () => {
      throw new Error('board broke');
    });
    app.use('/b24/settings/queues', createSettingsErrorHandler(createLogger('info', sink)));
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    const answer = await fetch(`http://127.0.0.1:${port}/b24/settings/queues/secret-session.sig/api/queues`);
    await new Promise((resolve) => server.close(resolve));
    expect(answer.status).toBe(500);
    const log = written.join('');
    expect(log).toContain('/b24/settings/queues/***/api/queues');
    expect(log).not.toContain('secret-session');
  });
});
