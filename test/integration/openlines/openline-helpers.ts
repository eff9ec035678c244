import { Worker } from 'bullmq';
import { attachLine } from '../../../openlines/attach-line';
import { CONNECTOR_ID } from '../../../openlines/connector';
import { retryBackoffStrategy } from '../../../queues/job-retry';
import { queueNames, SWITCH_OFF_CHECK } from '../../../queues/job-schemas';
import { createRedis, type RedisClient } from '../../../redis/connect';
import type { OpenLineChat } from '../../../simulators/bitrix24/open-lines';
import type { ChatItem } from '../../../store/open-line-outbox';
import { OpenLineDispatcher, type OpenLineDispatcherOptions } from '../../../workers/open-line-dispatcher';
import { createPortalSetupProcessor } from '../../../workers/portal-setup-processor';
import { createRegisteredHarness, eventually, type Harness, type HarnessOptions, LINE } from '../../helpers/harness';

/** The customer every open-line test writes as. */
export const CUSTOMER = '79990001122';
/** The chat id the app gives that customer on line `main`. */
export const CHAT_ID = `${CUSTOMER}-main`;

/** A harness whose line `main` serves open line 1, the connector registered. */
export async function openLineHarness(options: HarnessOptions = {}): Promise<Harness> {
  const h = await createRegisteredHarness({ openLineRetryBaseMs: 50, ...options });
  await eventually(() => h.portal.state.openLines.connectors.get(CONNECTOR_ID), 10_000, 'connector registered');
  await attachLine(h.rt.openLineSetup, h.memberId, 'main', '1');
  return h;
}

/**
 * An open-line harness whose workers are stopped: only the test's own dispatchers send (the
 * workers' would take the chat too), each pass driven by the test.
 */
export async function openLineHarnessOwnDispatch(options: HarnessOptions = {}): Promise<Harness> {
  const h = await openLineHarness(options);
  await h.stopWorkers();
  return h;
}

/** A fresh `openLineHarnessOwnDispatch` for each test of the suite, handed to `use`, closed after the test. */
export function ownDispatchEachTest(options: HarnessOptions, use: (h: Harness) => void): void {
  let current: Harness | undefined;
  beforeEach(async () => {
    current = await openLineHarnessOwnDispatch(options);
    use(current);
  });
  afterEach(async () => {
    await current?.close();
  });
}

/** The switch-off checks' worker of each test: `stop()` holds the checks (a test's "nothing queued"), `start()` runs them again. */
export interface CheckWorker {
  start(): void;
  stop(): Promise<void>;
}

/**
 * A portal-setup worker (it runs the switch-off checks) over each test's harness, started before
 * each test and closed after it. Call it after `ownDispatchEachTest`, whose harness it needs.
 */
export function checkWorkerEachTest(harness: () => Harness): CheckWorker {
  let connection: RedisClient | undefined;
  let worker: Worker | undefined;
  const start = () => {
    const h = harness();
    connection ??= createRedis(h.redisUrl, 'worker');
    worker = new Worker(queueNames.portalSetup, createPortalSetupProcessor(h.rt), {
      connection,
      prefix: h.rt.queues.prefix,
      settings: { backoffStrategy: retryBackoffStrategy },
    });
  };
  beforeEach(start);
  afterEach(async () => {
    await worker?.close();
    connection?.disconnect();
    connection = undefined;
  });
  return { start, stop: async () => void (await worker?.close()) };
}

/** The switch-off checks queued or running on `h`'s portal-setup queue (not yet done or failed). */
export async function waitingSwitchOffChecks(h: Harness) {
  const jobs = await h.rt.queues.portalSetup.getJobs(['wait', 'prioritized', 'delayed', 'active']);
  return jobs.filter((job) => job.name === SWITCH_OFF_CHECK);
}

/** The test's own dispatcher over `h` (retries 10 ms apart), with `extra` options. */
export function ownDispatcher(h: Harness, extra: Partial<OpenLineDispatcherOptions> = {}): OpenLineDispatcher {
  return new OpenLineDispatcher({
    ...h.rt,
    outbox: h.rt.openLineOutbox,
    subscriber: h.redis,
    retryBaseMs: 10,
    ...extra,
  });
}

/** The customer's message `n` as a chat item of the outbox, its ids `<idPrefix>-<n>`. */
export function customerItem(idPrefix: string, n: number, chatId = CHAT_ID): ChatItem {
  return {
    kind: 'customer',
    id: `${idPrefix}-${n}`,
    openLineId: '1',
    user: { id: CUSTOMER, name: 'Anna', phone: `+${CUSTOMER}` },
    message: { id: `${idPrefix}-${n}`, date: 1767000000 + n, text: `message ${n}` },
    chat: { id: chatId },
  };
}

/** The customer's chat on open line 1 once it holds `count` messages. */
export function chatWith(h: Harness, count: number, timeoutMs = 10_000): Promise<OpenLineChat> {
  return eventually(
    () => {
      const chat = h.portal.openLineChat(CONNECTOR_ID, 1, CHAT_ID);
      return chat && chat.messages.length >= count ? chat : undefined;
    },
    timeoutMs,
    `${count} message(s) in the open-line chat`,
  );
}

/** The customer writes "Hi" on line `main` and the open-line chat holds it: a chat an operator can answer. */
export async function customerOpensChat(h: Harness): Promise<OpenLineChat> {
  await h.whatsapp.deliverInbound({
    phoneNumberId: LINE.phoneNumberId,
    from: CUSTOMER,
    message: { type: 'text', text: 'Hi' },
  });
  return chatWith(h, 1);
}

/** A second WhatsApp line of the portal (another number), for the tests of one open line and two lines. */
export function addSecondLine(h: Harness): Promise<void> {
  return h.rt.lines.add({
    id: 'second',
    memberId: h.memberId,
    provider: 'cloud',
    phoneNumberId: '300000000000003',
    accessToken: 'EAAG-second',
    name: 'Second',
    createdAt: 1,
  });
}
