import type { Server } from 'node:http';
import { actions } from '../../../actions';
import { createApp } from '../../../app/create-app';
import { loadConfig } from '../../../config/load-config';
import { createLogger } from '../../../lib/logger';
import { freePort } from '../../../lib/redis-server';
import { attachLine } from '../../../openlines/attach-line';
import { CONNECTOR_ID } from '../../../openlines/connector';
import { createRedis, type RedisClient } from '../../../redis/connect';
import { createRuntime, type Runtime } from '../../../runtime/create-runtime';
import { type BitrixPortalSimulator, createBitrixPortalSimulator } from '../../../simulators/bitrix24';
import { localAppEnv } from '../../../simulators/local-app-env';
import { type CloudApiSimulator, createCloudApiSimulator } from '../../../simulators/whatsapp-cloud';
import { type AppProcess, startAppProcess } from '../../faults/app-process';
import { eventually, LINE } from '../../helpers/harness';

const CUSTOMER = '79990001122';

/**
 * Three `npm run worker` processes (real OS processes, as in production) drain one chat: the
 * chat's lease in Redis keeps its messages in the order the webhooks arrived.
 */
describe('open lines: one chat, three worker processes', () => {
  let portal: BitrixPortalSimulator;
  let whatsapp: CloudApiSimulator;
  let redis: RedisClient;
  let rt: Runtime;
  let server: Server;
  const workers: AppProcess[] = [];

  beforeAll(async () => {
    portal = createBitrixPortalSimulator({ clientId: 'local.proc', clientSecret: 'proc-secret', languageId: 'en' });
    whatsapp = createCloudApiSimulator({ appSecret: 'proc-app-secret' });
    const [{ url: portalUrl }, { url: graphUrl }] = await Promise.all([portal.start(0), whatsapp.start(0)]);
    whatsapp.addPhoneNumber(LINE);
    const port = await freePort();
    // A database of its own: the processes use the production key prefix.
    const redisUrl = `${process.env.TEST_REDIS_URL ?? ''}/11`;
    const env = {
      ...localAppEnv({
        port,
        redisUrl,
        portalUrl,
        graphUrl,
        clientId: 'local.proc',
        clientSecret: 'proc-secret',
        appSecret: 'proc-app-secret',
        verifyToken: 'proc-verify-token',
        secretsKey: 'd'.repeat(64),
        logLevel: 'warn',
        restLimit: { drainPerSec: 10, burst: 50 },
      }),
      QUEUE_PREFIX: '{bull-ol-processes}',
    };
    redis = createRedis(redisUrl, 'worker');
    await redis.flushdb();
    rt = createRuntime({ config: loadConfig(env), redis, log: createLogger('silent') });
    server = await new Promise((resolve) => {
      const s = createApp(rt).listen(port, '127.0.0.1', () => resolve(s));
    });
    // `workers started` is an info line: the workers log at info.
    for (let i = 0; i < 3; i += 1)
      workers.push(startAppProcess(`worker-${i}`, 'workers/main.ts', { ...env, LOG_LEVEL: 'info' }));
    await Promise.all(workers.map((w) => eventually(() => w.output().includes('workers started'), 60_000, w.name)));
  }, 90_000);

  afterAll(async () => {
    await Promise.all(workers.map((w) => w.stop()));
    server?.closeAllConnections();
    await new Promise((r) => server?.close(() => r(null)));
    await rt?.close();
    await redis?.flushdb();
    redis?.disconnect();
    await Promise.all([portal?.stop(), whatsapp?.stop()]);
  });

  it('100 messages reach the chat in the order received; more than one process took them', async () => {
    const install = await portal.installApp({ installUrl: `${rt.publicUrl}/b24/install` });
    expect(install.status).toBe(200);
    const memberId = portal.currentTokens().memberId;
    await eventually(() => portal.robots().length === actions.length, 30_000, 'registration');
    await eventually(() => portal.state.openLines.connectors.get(CONNECTOR_ID), 30_000, 'connector');
    await rt.lines.add({
      id: 'main',
      memberId,
      provider: 'cloud',
      phoneNumberId: LINE.phoneNumberId,
      accessToken: LINE.accessToken,
      name: 'Main',
      createdAt: 1,
    });
    await attachLine(rt.openLineSetup, memberId, 'main', '1');
    whatsapp.setWebhook({ url: `${rt.publicUrl}/whatsapp/webhook` });

    const texts = Array.from({ length: 100 }, (_, i) => `message ${i + 1}`);
    for (const text of texts) {
      const sent = await whatsapp.deliverInbound({
        phoneNumberId: LINE.phoneNumberId,
        from: CUSTOMER,
        message: { type: 'text', text },
      });
      expect(sent.status).toBe(200);
    }
    const chat = await eventually(
      () => {
        const found = portal.openLineChat(CONNECTOR_ID, 1, `${CUSTOMER}-main`);
        return found && found.messages.length >= 100 ? found : undefined;
      },
      60_000,
      '100 messages in the chat',
    );
    expect(chat.messages.map((m) => m.text)).toEqual(texts);
    const jobs = await rt.queues.inbound.getJobs(['completed'], 0, 200);
    expect(new Set(jobs.map((j) => j.processedBy)).size).toBeGreaterThan(1);
  }, 120_000);
});
