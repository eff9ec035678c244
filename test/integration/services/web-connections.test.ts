import { createServer, type Socket, connect as tcpConnect } from 'node:net';
import { createWebConnections } from '../../../app/web-connections';
import { waitReady } from '../../../redis/connect';
import { pollUntil } from '../../helpers/poll';

/**
 * A TCP relay to the test's redis-server that can start holding: from then on what clients send is
 * swallowed (a command in flight never gets its answer) and a client connecting anew is accepted and
 * never answered, as a Redis still loading its AOF answers no ready check.
 */
async function holdingRelay(target: URL) {
  let holding = false;
  const clients = new Set<Socket>();
  const swallowedBy = new Set<Socket>();
  const accepted = { count: 0 };
  const server = createServer((client) => {
    accepted.count += 1;
    clients.add(client);
    client.on('error', () => undefined);
    client.on('close', () => clients.delete(client));
    const upstream = holding ? null : tcpConnect(Number(target.port), target.hostname);
    upstream?.on('error', () => undefined);
    upstream?.on('data', (data) => client.write(data));
    client.on('close', () => upstream?.destroy());
    client.on('data', (data) => {
      if (holding || !upstream) swallowedBy.add(client);
      else upstream.write(data);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('relay: no port');
  return {
    url: `redis://127.0.0.1:${address.port}`,
    accepted,
    hold: () => {
      holding = true;
    },
    /** How many clients had bytes swallowed since the last cut. */
    swallowed: () => swallowedBy.size,
    cutClients: () => {
      for (const client of clients) client.destroy();
      swallowedBy.clear();
    },
    close: async () => {
      for (const client of clients) client.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe("the web process's connections (real Redis behind a relay)", () => {
  it('Redis reachable again but not ready, with a command cut off in flight: the next command is refused at once', async () => {
    const relay = await holdingRelay(new URL(process.env.TEST_REDIS_URL ?? ''));
    // Cut during their ready check at the end, ioredis disconnects them a second time itself, and its
    // 2 s wait for a close already past would hold the jest worker: destroyed at once instead.
    const { redis, queueRedis } = createWebConnections(relay.url, { disconnectTimeoutMs: 0 });
    const connections = [redis, queueRedis];
    try {
      await Promise.all(connections.map((connection) => waitReady(connection)));
      expect(await redis.ping()).toBe('PONG');
      relay.hold();
      // One command in flight on each connection, never answered.
      // (They settle only when the connections close, at the end.)
      for (const connection of connections) connection.get('wc:in-flight').catch(() => undefined);
      await pollUntil(() => relay.swallowed() === 2, 2000, 'both commands to reach the relay');
      const acceptedBefore = relay.accepted.count;
      relay.cutClients();
      // Both reconnect and send their ready check, which nobody answers.
      await pollUntil(() => relay.swallowed() === 2, 5000, 'both connections to reconnect and ask if Redis is ready');
      expect(relay.accepted.count).toBe(acceptedBefore + 2);
      expect(connections.map((connection) => connection.status)).toEqual(['connect', 'connect']);
      const timers: NodeJS.Timeout[] = [];
      const refused = connections.map((connection) =>
        Promise.race([
          connection.get('wc:next').then(
            () => 'answered',
            (error: Error) => error.message,
          ),
          new Promise<string>((resolve) => {
            timers.push(setTimeout(() => resolve('still waiting after 1 s'), 1000));
          }),
        ]),
      );
      const outcomes = await Promise.all(refused);
      for (const timer of timers) clearTimeout(timer);
      for (const outcome of outcomes) expect(outcome).toMatch(/enableOfflineQueue/);
    } finally {
      for (const connection of connections) connection.disconnect();
      await relay.close();
    }
  });
});
