import { createLogger } from '../../lib/logger';
import { moveQueuePrefix } from '../../queues/move-prefix';
import { type RedisClient, scanKeys } from '../../redis/connect';
import { createRuntime, type Runtime } from '../../runtime/create-runtime';
import { startWorkers } from '../../runtime/start-workers';
import { createRegisteredHarness, disconnectOpen, eventually, type Harness } from '../helpers/harness';
import { startButtonsWait } from '../helpers/waits';

async function keysUnder(h: Harness, prefix: string): Promise<string[]> {
  const found: string[] = [];
  for await (const keys of scanKeys(h.redis, `${prefix}:*`)) found.push(...keys);
  return found;
}

/** A deployment moving from `bull` to a hash-tagged prefix keeps every queued job (README: Production layout). */
describe('queues move-prefix', () => {
  let h: Harness;
  let old: string;
  let tagged: string;
  const started: Array<{ close(): Promise<void> }> = [];
  const runtimes: Runtime[] = [];
  const connections: RedisClient[] = [];
  const connect = () => {
    const c = h.redis.duplicate();
    connections.push(c);
    return c;
  };
  beforeEach(async () => {
    const id = Math.random().toString(36).slice(2, 8);
    old = `bull-m${id}`;
    tagged = `{bull-m${id}}`;
    h = await createRegisteredHarness({ queuePrefix: old });
  });
  afterEach(async () => {
    for (const s of started.splice(0)) await s.close();
    for (const rt of runtimes.splice(0)) await rt.close();
    disconnectOpen(connections.splice(0));
    await h.close();
  });

  it('moves waiting and delayed jobs; workers on the new prefix run them', async () => {
    const wait = await startButtonsWait(h, { timeoutDuration: 1 });
    await h.stopWorkers();
    const dealId = h.portal.createDeal({ stageId: 'NEW' });
    const { run } = await h.portal.runRobot({
      code: 'wa_send_text',
      documentId: ['crm', 'CCrmDocumentDeal', `DEAL_${dealId}`],
      properties: { text: 'queued before the move', phone: '+79161234567' },
    });
    await eventually(async () => (await h.rt.queues.runAction.getWaitingCount()) === 1, 5_000, 'the call queued');

    const { moved, queues } = await moveQueuePrefix(h.redis, old, tagged);
    expect(moved).toBeGreaterThan(0);
    expect(queues).toEqual(expect.arrayContaining(['run-action', 'wait-timeout', 'maintenance']));
    expect(await keysUnder(h, old)).toEqual([]);

    const rt = createRuntime({
      config: h.rt.config,
      redis: connect(),
      log: createLogger('silent'),
      keyPrefix: h.rt.keys.prefix,
      queuePrefix: tagged,
    });
    runtimes.push(rt);
    started.push(await startWorkers(rt, { connection: connect, queuePrefix: tagged }));
    expect((await h.portal.waitForRun(run.eventToken, 15_000)).returnValues).toMatchObject({ status: 'sent' });
    expect((await h.portal.waitForRun(wait.eventToken, 15_000)).returnValues).toMatchObject({ status: 'timeout' });
  });

  it('refuses while a worker runs on either prefix, and when the new prefix already has keys', async () => {
    await expect(moveQueuePrefix(h.redis, old, tagged)).rejects.toThrow(/stop every worker process first/);
    await h.stopWorkers();
    await h.redis.set(`${tagged}:run-action:meta`, 'x');
    await expect(moveQueuePrefix(h.redis, old, tagged)).rejects.toThrow(/already has keys/);
    expect((await keysUnder(h, old)).length).toBeGreaterThan(0);
    await expect(moveQueuePrefix(h.redis, old, old)).rejects.toThrow(/two different prefixes/);
  });
});
