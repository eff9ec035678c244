/** Starting and stopping a simulator's http server (an express app, or a handler in front of one) on 127.0.0.1. */

import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A started HTTP server with its base URL. */
export interface Listening {
  server: Server;
  url: string;
  port: number;
}

/**
 * Starts `handler` (an express app, or a function that answers some requests itself and hands the
 * rest to one) on 127.0.0.1:`port` (0 = a free port); resolves with `http://127.0.0.1:<port>`.
 */
export function listen(handler: RequestListener, port: number): Promise<Listening> {
  return new Promise((resolve, reject) => {
    // What express's app.listen does: a plain http server around the handler.
    const server = createServer(handler).listen(port, '127.0.0.1');
    server.once('error', reject);
    server.once('listening', () => {
      const addr = server.address() as AddressInfo;
      resolve({ server, url: `http://127.0.0.1:${addr.port}`, port: addr.port });
    });
  });
}

/** Stops a server, closing keep-alive sockets so it does not linger. */
export function stopServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/** start/stop/url of a simulator around one express app or handler (the same for every simulator). */
export function serverLifecycle(
  app: RequestListener,
  name: string,
  onStart: (listening: Listening) => void = () => {},
) {
  let listening: Listening | undefined;
  return {
    async start(port = 0): Promise<{ url: string; port: number }> {
      listening = await listen(app, port);
      onStart(listening);
      return { url: listening.url, port: listening.port };
    },
    async stop(): Promise<void> {
      if (listening) await stopServer(listening.server);
      listening = undefined;
    },
    url(): string {
      if (!listening) throw new Error(`${name} simulator is not started`);
      return listening.url;
    },
  };
}
