import type { Server, ServerResponse } from 'node:http';
import type { Logger } from '../lib/logger';
import type { WebApp } from './create-app';

export interface WebServerOptions {
  port: number;
  host?: string;
  log: Logger;
}

/** How a stop ended: every call in progress answered, or some cut off at the time-out. */
export type StopOutcome = 'drained' | 'cut';

export interface WebServer {
  server: Server;
  /**
   * Stops accepting, lets the calls in progress finish (a robot call is answered once queued:
   * Bitrix24 never retries one) and closes every connection; after `timeoutMs` the rest are cut.
   * Close the queues and Redis only after this resolves.
   */
  stop(timeoutMs: number): Promise<StopOutcome>;
}

/**
 * Serves `app` on `port`: resolves once listening, rejects with the error when it cannot (a port
 * taken), so the process can stop instead of staying up serving nothing. A server error after
 * that (an accept failing, say for too many open files) is logged; the server goes on listening.
 */
export function startWebServer(app: WebApp, options: WebServerOptions): Promise<WebServer> {
  const { port, host, log } = options;
  const open = new Set<ServerResponse>();
  let stopping = false;
  // While stopping, an answer closes its connection: a keep-alive one would otherwise outlive the stop.
  const closeAfter = (res: ServerResponse) => {
    if (!res.headersSent) res.setHeader('connection', 'close');
  };
  return new Promise((resolve, reject) => {
    const ready = (error?: Error) => {
      if (error) return reject(error);
      server.on('error', (failure: Error) => log.error({ err: failure }, 'http server error'));
      resolve({ server, stop });
    };
    const server = host === undefined ? app.listen(port, ready) : app.listen(port, host, ready);
    server.on('request', (_req, res: ServerResponse) => {
      if (stopping) closeAfter(res);
      open.add(res);
      res.once('close', () => {
        open.delete(res);
        // An answer sent before the stop began left its connection open: close it now it is idle.
        if (stopping) server.closeIdleConnections();
      });
    });
    const stop = (timeoutMs: number) =>
      new Promise<StopOutcome>((done) => {
        stopping = true;
        for (const res of open) closeAfter(res);
        let outcome: StopOutcome = 'drained';
        const timer = setTimeout(() => {
          outcome = 'cut';
          server.closeAllConnections();
        }, timeoutMs);
        // Node closes the idle keep-alive connections here; busy ones close once answered (above).
        server.close(() => {
          clearTimeout(timer);
          done(outcome);
        });
      });
  });
}
