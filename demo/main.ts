import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import { Redis, type RedisOptions } from 'ioredis';
import { actions } from '../actions';
import { createApp } from '../app/create-app';
import { loadConfig } from '../config/load-config';
import { systemClock } from '../lib/clock';
import { errorMessage } from '../lib/errors/classify-error';
import { createLogger } from '../lib/logger';
import { freePort, type LocalRedisServer, startRedisServer } from '../lib/redis-server';
import { attachLine } from '../openlines/attach-line';
import { createRuntime } from '../runtime/create-runtime';
import { startWorkers } from '../runtime/start-workers';
import { createBitrixPortalSimulator } from '../simulators/bitrix24';
import { localAppEnv } from '../simulators/local-app-env';
import { createCloudApiSimulator } from '../simulators/whatsapp-cloud';
import { chatHas, runOpenLineDemo } from './open-line-demo';

/**
 * `npm run demo`: the whole app on its embedded default — a local redis-server (AOF on), the
 * Bitrix24 portal and WhatsApp Cloud API simulators, the web doors and the workers — then a
 * robot sending text, a robot resumed by a button, a robot cancelled by a stage move, and the
 * open-line chat both ways.
 */
const CUSTOMER = '79161234567';
const LINE = {
  phoneNumberId: '106540352242922',
  accessToken: `EAAG${randomBytes(12).toString('hex')}`,
  displayPhoneNumber: '79001112233',
};
let stepNo = 0;
const step = (text: string) => process.stdout.write(`\n[${++stepNo}] ${text}\n`);
const info = (text: string) => process.stdout.write(`    ${text}\n`);

async function until<T>(
  what: string,
  check: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 15_000,
): Promise<T> {
  // The demo runs on real time (the system clock), like production.
  const deadline = systemClock.now() + timeoutMs;
  while (systemClock.now() < deadline) {
    const value = await check();
    if (value) return value;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function main(): Promise<void> {
  const cleanups: Array<() => Promise<void>> = [];
  try {
    step('Starting a local redis-server (AOF on, noeviction)');
    const redisServer: LocalRedisServer = await startRedisServer({ log: info });
    cleanups.push(() => redisServer.stop());
    info(`redis at ${redisServer.url} (data in ${redisServer.dir})`);

    step('Starting the simulators: a Bitrix24 portal and the WhatsApp Cloud API');
    const clientId = 'local.demo0000000001.00000001';
    const clientSecret = randomBytes(16).toString('hex');
    const appSecret = randomBytes(16).toString('hex');
    const portal = createBitrixPortalSimulator({ clientId, clientSecret, languageId: 'en' });
    const whatsapp = createCloudApiSimulator({ appSecret });
    const [{ url: portalUrl }, { url: graphUrl }] = await Promise.all([portal.start(0), whatsapp.start(0)]);
    cleanups.push(
      () => portal.stop(),
      () => whatsapp.stop(),
    );
    whatsapp.addPhoneNumber(LINE);
    info(`portal REST + OAuth: ${portalUrl}/rest/   WhatsApp Graph: ${graphUrl}`);

    step('Starting the app (HTTP doors) and the workers');
    const port = await freePort();
    const config = loadConfig(
      localAppEnv({
        port,
        redisUrl: redisServer.url,
        portalUrl,
        graphUrl,
        clientId,
        clientSecret,
        appSecret,
        verifyToken: randomBytes(8).toString('hex'),
        secretsKey: randomBytes(32).toString('hex'),
        logLevel: process.env.LOG_LEVEL ?? 'warn',
      }),
    );
    const connections: Redis[] = [];
    const connect = (options: RedisOptions = {}) => {
      const c = new Redis(redisServer.url, { maxRetriesPerRequest: null, ...options });
      connections.push(c);
      return c;
    };
    cleanups.push(async () => {
      for (const c of connections) c.disconnect();
    });
    const rt = createRuntime({ config, redis: connect(), log: createLogger(config.LOG_LEVEL) });
    const server: Server = await new Promise((resolve) => {
      const s = createApp(rt).listen(port, '127.0.0.1', () => resolve(s));
    });
    cleanups.push(async () => {
      server.closeAllConnections();
      await new Promise((r) => server.close(() => r(null)));
    });
    // Wake-up subscribers close at once (createSubscriberRedis says why).
    const subscriberConnection = () => connect({ disconnectTimeout: 0 });
    const workers = await startWorkers(rt, { connection: () => connect(), subscriberConnection });
    // One step: the runtime (its queues, then its pools) closes after its workers. Cleanups run in
    // reverse: this one before the web server's above, then the Redis connections.
    cleanups.push(async () => {
      await workers.close();
      await rt.close();
    });
    whatsapp.setWebhook({ url: `${config.PUBLIC_URL}/whatsapp/webhook` });
    info(`app at ${config.PUBLIC_URL}`);

    step('Installing the app on the portal (ONAPPINSTALL → robots, activities, events registered in batches)');
    const install = await portal.installApp({ installUrl: `${config.PUBLIC_URL}/b24/install` });
    if (install.status !== 200) throw new Error(`install answered ${install.status}: ${install.body}`);
    await until(
      'registration',
      () => portal.robots().length === actions.length && portal.activities().length === actions.length,
    );
    const memberId = portal.currentTokens().memberId;
    info(`portal ${memberId} installed`);
    info(
      `robots:     ${portal
        .robots()
        .map((r) => r.code)
        .join(', ')}`,
    );
    info(
      `activities: ${portal
        .activities()
        .map((r) => r.code)
        .join(', ')}`,
    );
    info(
      `events:     ${portal
        .eventBindings()
        .map((b) => b.event)
        .join(', ')}`,
    );

    step(
      'Connecting a WhatsApp line (same as: npm run cli -- lines add --portal … --phone-number-id … --access-token …)',
    );
    await rt.lines.add({
      id: 'main',
      memberId,
      provider: 'cloud',
      phoneNumberId: LINE.phoneNumberId,
      accessToken: LINE.accessToken,
      name: 'Sales',
      createdAt: rt.clock.now(),
    });
    info(`line "main" → phone_number_id ${LINE.phoneNumberId}, token encrypted at rest`);
    step('Attaching it to open line 1 (same as: npm run cli -- lines attach main --portal … --open-line 1)');
    await attachLine(rt.openLineSetup, memberId, 'main', '1');
    info('imconnector.activate, then imconnector.connector.data.set');

    const contactId = portal.createContact({
      name: 'Ivan',
      lastName: 'Petrov',
      phones: [{ value: '+7 (916) 123-45-67', valueType: 'MOBILE' }],
    });
    const dealA = portal.createDeal({ title: 'Dental appointment', stageId: 'NEW', contactId });
    const docA: [string, string, string] = ['crm', 'CCrmDocumentDeal', `DEAL_${dealA}`];

    step(
      `Deal ${dealA} reaches stage NEW: robot "WhatsApp: send text" fires (recipient taken from the deal's contact)`,
    );
    const t0 = rt.clock.now();
    const text = await portal.runRobot({
      code: 'wa_send_text',
      documentId: docA,
      properties: { text: 'Hello Ivan! Your appointment is tomorrow at 10:00.' },
    });
    info(`robot call answered HTTP ${text.httpStatus} in ${rt.clock.now() - t0} ms (queued, not sent yet)`);
    const textDone = await portal.waitForRun(text.run.eventToken, 15_000);
    const sentText = await until('text message', () => whatsapp.sent()[0]);
    info(`WhatsApp received: to=${String(sentText.body.to)} text="${(sentText.body.text as { body: string }).body}"`);
    info(`bizproc.event.send → ${JSON.stringify(textDone.returnValues)}`);
    info(`robot log: ${textDone.logMessage}`);

    step('Robot "[OLChat] WhatsApp: send message with buttons" with "wait for the reply"');
    const ask = await portal.runRobot({
      code: 'wa_send_buttons',
      documentId: docA,
      properties: {
        body: 'Can you come tomorrow at 10:00?',
        buttons: ['Yes', 'No', 'Reschedule'],
        wait_reply: 'Y',
        timeout: '24',
        timeout_unit: 'hours',
      },
    });
    const buttonsMsg = await until('buttons message', () => whatsapp.sent().find((s) => s.body.type === 'interactive'));
    const buttons = (
      buttonsMsg.body.interactive as { action: { buttons: Array<{ reply: { id: string; title: string } }> } }
    ).action.buttons.map((b) => b.reply);
    info(`WhatsApp received buttons: ${buttons.map((b) => `[${b.title}] id=${b.id}`).join(' ')}`);
    info('the wait is stored in Redis before the message left; the robot is waiting…');
    step('The customer taps [Reschedule] (signed webhook from the Cloud API)');
    const reschedule = buttons[2];
    if (!reschedule) throw new Error('the buttons message has no third button');
    const tapped = await whatsapp.deliverInbound({
      phoneNumberId: LINE.phoneNumberId,
      from: CUSTOMER,
      name: 'Ivan',
      message: { type: 'button_reply', id: reschedule.id, title: reschedule.title },
      contextId: buttonsMsg.wamid,
    });
    info(`webhook answered HTTP ${tapped.status}`);
    const askDone = await portal.waitForRun(ask.run.eventToken, 15_000);
    info(`robot resumed: ${JSON.stringify(askDone.returnValues)}`);
    info(`robot log: ${askDone.logMessage}`);
    if (askDone.returnValues?.answer !== 'Reschedule')
      throw new Error('the robot was not resumed with the tapped button');

    step('Stage rule: a robot waits on deal B, then the deal moves to another stage before the customer answers');
    const openLine = { portal, whatsapp, rt, phoneNumberId: LINE.phoneNumberId, customer: CUSTOMER, step, info, until };
    const dealB = portal.createDeal({ title: 'Second visit', stageId: 'NEW', contactId });
    const before = whatsapp.sent().length;
    const lateRun = await portal.runRobot({
      code: 'wa_send_buttons',
      documentId: ['crm', 'CCrmDocumentDeal', `DEAL_${dealB}`],
      properties: { body: 'Confirm the second visit?', buttons: ['Yes', 'No'], wait_reply: 'Y' },
    });
    await until('second buttons message', () => whatsapp.sent().length > before);
    await portal.moveDeal(dealB, 'PREPARATION');
    info(`deal ${dealB} moved NEW → PREPARATION (ONCRMDEALUPDATE delivered to the app)`);
    await until('wait cancelled', async () => (await rt.redis.zcard(rt.keys.openWaits(memberId))) === 0);
    info('robot wait cancelled by the stage move');
    await whatsapp.deliverInbound({
      phoneNumberId: LINE.phoneNumberId,
      from: CUSTOMER,
      name: 'Ivan',
      message: { type: 'text', text: 'Yes' },
    });
    const late = await chatHas(openLine, (m) => m.text === 'Yes');
    info(`the customer's late "Yes" appears in the open-line chat (${late.author}), not lost`);
    const sendsForLate = portal.eventSends().filter((e) => e.eventToken === lateRun.run.eventToken);
    info(`bizproc.event.send calls for the cancelled robot: ${sendsForLate.length}`);
    if (sendsForLate.length !== 0) throw new Error('a cancelled robot was resumed');

    await runOpenLineDemo(openLine);

    const stats = portal.stats();
    step('Done');
    info(
      `portal REST requests: ${stats.restRequests} (batches: ${stats.batchCalls}, QUERY_LIMIT_EXCEEDED: ${stats.queryLimitExceeded}); WhatsApp messages sent: ${whatsapp.sent().length}`,
    );
    process.stdout.write('\nDemo finished: all steps passed.\n');
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`\nDemo FAILED: ${errorMessage(error)}\n`);
    process.exit(1);
  },
);
