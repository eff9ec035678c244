import type { Server } from 'node:http';
import type { Logger } from '../lib/logger';
import type { WebApp } from './create-app';

export interface WebServerOptions {
  port: number;
  host?: string;
  log: Logger;
}

/**
 * Serves `app` on `port`: resolves once listening, rejects with the error when it cannot (a port
 * taken), so the process can stop instead of staying up serving nothing. A server error after
 * that (an accept failing, say for too many open files) is logged; the server goes on listening.
 */
export function startWebServer(app: WebApp, options: WebServerOptions): Promise<Server> {
  const { port, host, log } = options;
  return new Promise((resolve, reject) => {
    const ready = (error?: Error) => {
      if (error) return reject(error);
      server.on('error', (failure: Error) => log.error({ err: failure }, 'http server error'));
      resolve(server);
    };
    const server = host === undefined ? app.listen(port, ready) : app.listen(port, host, ready);
  });
}
