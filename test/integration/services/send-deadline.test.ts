import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import { ActionError } from '../../../lib/errors/app-error';
import { randomId } from '../../../lib/hash';
import { createMetrics } from '../../../lib/metrics';
import { createLineSender } from '../../../lines/line-sender';
import { createCloudApiProvider } from '../../../providers/cloud-api/cloud-api-provider';
import { createGreenApiProvider } from '../../../providers/green-api/green-api-provider';
import type { WhatsAppProvider } from '../../../providers/provider';
import { MAX_EXCHANGE_MS } from '../../../providers/provider-http';
import { createKeys } from '../../../redis/keys';
import type { Line } from '../../../store/line-store';
import { createManualClock } from '../../helpers/manual-clock';

/**
 * A send's deadline is the line slot's in-flight lease, counted from the take: a call that starts
 * late (a Redis stall after the take, here the manual clock moved in between) gets only what is left.
 */
describe('send deadline from the line slot take (real Redis, loopback provider that never answers)', () => {
  const redis = new Redis(process.env.TEST_REDIS_URL ?? '');
  let server: Server;
  let base = '';
  let requests = 0;
  beforeAll(async () => {
    // Takes every request and never answers: only the client's deadline ends it.
    server = createServer(() => {
      requests += 1;
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    // Cast: a server listening on a TCP port (not a pipe) has an AddressInfo address.
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    redis.disconnect();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const clock = createManualClock();
  const line: Line = {
    id: 'main',
    memberId: 'm1',
    provider: 'cloud',
    phoneNumberId: `1066${Math.floor(Math.random() * 1e9)}`,
    accessToken: 'EAAG-x',
    name: 'Main',
    createdAt: 0,
  };
  /** A sender whose provider starts its call `lateMs` (by the clock) after the slot was taken. */
  const senderStartingLate = (provider: WhatsAppProvider, lateMs: number) =>
    createLineSender({
      redis,
      keys: createKeys(`sd${randomId(4).replace(/[^a-zA-Z0-9]/g, 'x')}`),
      clock,
      metrics: createMetrics(),
      providerFor: () => ({
        ...provider,
        send(message) {
          clock.advance(lateMs);
          return provider.send(message);
        },
      }),
      windowMs: 1000,
      defaultRatePerSec: 10,
    });
  const message = { to: '79990001122', content: { type: 'text' as const, body: 'hi' } };
  const cloud = (timeoutMs: number) =>
    createCloudApiProvider({ graphUrl: base, version: 'v23.0', timeoutMs, clock }, line);

  it('a Cloud API send that starts late gets only the rest of the lease, not its whole timeout', async () => {
    // Its own timeout would be the whole exchange time; 1.2 s of it is left when the call starts.
    const sender = senderStartingLate(cloud(MAX_EXCHANGE_MS), MAX_EXCHANGE_MS - 1200);
    const error: unknown = await sender.send(line, message).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ActionError);
    expect(String(error)).toMatch(/within 1200 ms/);
  });

  it('a send that would start with under a second of lease left is refused before anything goes out', async () => {
    const before = requests;
    const error: unknown = await senderStartingLate(cloud(15_000), MAX_EXCHANGE_MS - 500)
      .send(line, message)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ActionError);
    expect(error instanceof ActionError && error.outcomeUnknown).toBe(false);
    expect(String(error)).toMatch(/not sent/);
    // Green-API the same.
    const green = createGreenApiProvider(
      { timeoutMs: 15_000, clock, dispatcher: undefined },
      { apiUrl: base, idInstance: '1101', apiTokenInstance: 'tok' },
    );
    const greenError: unknown = await senderStartingLate(green, MAX_EXCHANGE_MS - 500)
      .send({ ...line, provider: 'green-api' }, message)
      .catch((e: unknown) => e);
    expect(String(greenError)).toMatch(/not sent/);
    expect(requests).toBe(before);
  });
});
