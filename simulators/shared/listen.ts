/** Starting and stopping an express app on 127.0.0.1. */

import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';

/** A started HTTP server with its base URL. */
export interface Listening {
  server: Server;
  url: string;
  port: number;
}

/** Starts `app` on 127.0.0.1:`port` (0 = a free port); resolves with `http://127.0.0.1:<port>`. */
export function listen(app: Express, port: number): Promise<Listening> {
  return new Promise((resolve, reject) => {
    const server = app.listen(port, '127.0.0.1');
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

/** start/stop/url of a simulator around one express app (the same for every simulator). */
export function serverLifecycle(app: Express, name: string, onStart: (listening: Listening) => void = () => {}) {
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
