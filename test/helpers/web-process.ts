import { createApp } from '../../app/create-app';
import type { Runtime } from '../../runtime/create-runtime';

/**
 * A web process of `rt` (its app on a free loopback port), for tests of what it answers when its
 * Redis is down. `close` ends its connections, the server and the runtime's queues.
 */
export async function startWebProcess(rt: Runtime): Promise<{ url: string; close(): Promise<void> }> {
  const server = createApp(rt).listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const address = server.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  return {
    url,
    async close() {
      server.closeAllConnections();
      server.close();
      await rt.close().catch(() => undefined);
    },
  };
}

/** A robot call carrying only its auth fields: answered before any portal is read. */
export function postBareRobotCall(url: string): Promise<Response> {
  return fetch(`${url}/b24/robot`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: 'auth%5Bmember_id%5D=m&auth%5Bapplication_token%5D=t',
  });
}
