import { createLogger } from '../../lib/logger';
import { type LocalRedisCluster, startRedisCluster } from '../../lib/redis-cluster';
import { createRedis, type RedisClient, scanKeys, scanTargets } from '../../redis/connect';
import { createRuntime } from '../../runtime/create-runtime';
import { deadRedis } from '../helpers/dead-redis';
import { defined } from '../helpers/defined';
import { createRegisteredHarness, eventually, type Harness, LINE } from '../helpers/harness';
import { settled } from '../helpers/signals';
import { acceptedSends, CUSTOMER, startButtonsWait, tap } from '../helpers/waits';
import { postBareRobotCall, startWebProcess } from '../helpers/web-process';

/**
 * The app's real runtime (web door, two worker instances, BullMQ, Lua scripts, callback outbox and
 * its pub/sub wake-up) on a local Redis Cluster of 3 masters, REDIS_URL = redis+cluster://…
 */
describe('on a Redis Cluster of 3 masters', () => {
  let cluster: LocalRedisCluster;
  let h: Harness;
  beforeAll(async () => {
    cluster = await startRedisCluster({ masters: 3 });
  });
  afterAll(async () => {
    await cluster?.stop();
  });
  beforeEach(async () => {
    h = await createRegisteredHarness({ redisUrl: cluster.url, workerInstances: 2 });
  });
  afterEach(async () => {
    await h.close();
  });

  it('the spine: install, robot call → WhatsApp → bizproc.event.send, its keys spread over the masters', async () => {
    expect(h.redis.isCluster).toBe(true);
    expect(scanTargets(h.redis)).toHaveLength(3);
    const dealId = h.portal.createDeal({ stageId: 'NEW' });
    const { httpStatus, run } = await h.portal.runRobot({
      code: 'wa_send_text',
      documentId: ['crm', 'CCrmDocumentDeal', `DEAL_${dealId}`],
      properties: { text: 'Привет с кластера', phone: '+7 (916) 123-45-67' },
    });
    expect(httpStatus).toBe(200);
    const done = await h.portal.waitForRun(run.eventToken, 15_000);
    const message = defined(h.whatsapp.sent()[0], 'sent message');
    expect(message.phoneNumberId).toBe(LINE.phoneNumberId);
    expect(message.body).toMatchObject({ to: '79161234567', text: { body: 'Привет с кластера' } });
    expect(done.returnValues).toMatchObject({ status: 'sent', message_id: message.wamid, error: '' });
    expect(await h.rt.messages.get(h.memberId, message.wamid)).toMatchObject({ status: 'sent' });
    // The portal's keys, the queues and the global routes landed on different masters: a real spread.
    // Asked of each master directly (the client's own node list may still be filling in).
    const perMaster = await Promise.all(
      cluster.ports.map(async (port) => {
        const node = createRedis(`redis://127.0.0.1:${port}`, 'worker');
        try {
          return await node.dbsize();
        } finally {
          node.disconnect();
        }
      }),
    );
    expect(perMaster.filter((n) => n > 0).length).toBeGreaterThanOrEqual(2);
  });

  it('a button wait answered by a webhook reply resumes the robot', async () => {
    const run = await startButtonsWait(h);
    const reply = await tap(h, run, 1, 'Нет');
    const done = await h.portal.waitForRun(run.eventToken, 15_000);
    expect(done.returnValues).toMatchObject({
      status: 'answered',
      answer: 'Нет',
      answer_index: '2',
      reply_message_id: reply.messageId,
      message_id: run.wamid,
    });
    await settled(h);
    expect(acceptedSends(h, run.eventToken)).toHaveLength(1);
    expect(await h.rt.waits.store.openForPhone(h.memberId, 'main', CUSTOMER)).toEqual([]);
    expect(await h.rt.waits.store.countOpen(h.memberId)).toBe(0);
  });

  it('callbacks reach the portal, each once, and their wake-up is published across the cluster', async () => {
    const listener: RedisClient = createRedis(cluster.url, 'worker');
    try {
      const woken: string[] = [];
      listener.on('message', (channel: string, memberId: string) => {
        if (channel === h.rt.keys.callbackWake()) woken.push(memberId);
      });
      await listener.subscribe(h.rt.keys.callbackWake());
      const runs = [];
      for (let i = 0; i < 12; i += 1) {
        const dealId = h.portal.createDeal({ stageId: 'NEW' });
        const { httpStatus, run } = await h.portal.runRobot({
          code: 'wa_send_text',
          documentId: ['crm', 'CCrmDocumentDeal', `DEAL_${dealId}`],
          properties: { text: `message ${i}`, phone: `+7916123${4500 + i}` },
        });
        expect(httpStatus).toBe(200);
        runs.push(run);
      }
      for (const run of runs) {
        const done = await h.portal.waitForRun(run.eventToken, 20_000);
        expect(done.returnValues).toMatchObject({ status: 'sent', error: '' });
      }
      await settled(h);
      for (const run of runs) expect(acceptedSends(h, run.eventToken)).toHaveLength(1);
      await eventually(() => woken.includes(h.memberId), 5_000, 'a callback wake-up on the subscriber');
    } finally {
      listener.disconnect();
    }
  });

  it('a web process whose cluster is unreachable answers 503 at once', async () => {
    const dead = await deadRedis('cluster');
    const rt = createRuntime({ config: h.rt.config, redis: dead, log: createLogger('silent'), keyPrefix: 'dead' });
    const web = await startWebProcess(rt);
    try {
      expect((await postBareRobotCall(web.url)).status).toBe(503);
      expect((await fetch(`${web.url}/healthz`)).status).toBe(503);
    } finally {
      await web.close();
      dead.disconnect();
    }
  });

  it('an uninstall forgets every key of the portal, whichever master holds it', async () => {
    const portalKeys = `${h.rt.keys.portal(h.memberId).replace(/:portal$/, '')}:*`;
    const before: string[] = [];
    for await (const found of scanKeys(h.redis, portalKeys)) before.push(...found);
    expect(before.length).toBeGreaterThan(0);
    const result = await h.portal.uninstallApp({ url: `${h.appUrl}/b24/events` });
    expect(result.status).toBe(200);
    expect(await h.rt.portals.get(h.memberId)).toBeNull();
    expect(await h.redis.get(h.rt.keys.lineByNumber(LINE.phoneNumberId))).toBeNull();
    const after: string[] = [];
    for await (const found of scanKeys(h.redis, portalKeys)) after.push(...found);
    expect(after).toEqual([]);
  });
});
