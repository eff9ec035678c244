import { actions } from '../../actions';
import { runLinesCommand } from '../../cli/lines-command';
import { runPortalsCommand } from '../../cli/portals-command';
import { createLogger } from '../../lib/logger';
import { createRedis, waitReady } from '../../redis/connect';
import { createRuntime } from '../../runtime/create-runtime';
import { deadRedis } from '../helpers/dead-redis';
import { defined } from '../helpers/defined';
import { createHarness, type Harness, waitForRegistration } from '../helpers/harness';
import { settled } from '../helpers/signals';
import { postBareRobotCall, startWebProcess } from '../helpers/web-process';

describe('operations: health, metrics, uninstall, lines CLI', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await createHarness();
  });
  afterEach(async () => {
    await h.close();
  });

  it('GET /healthz reports Redis reachable', async () => {
    const response = await fetch(`${h.appUrl}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok', redis: true });
  });

  it('GET /metrics exposes jobs, sends, callbacks and errors by code', async () => {
    await waitForRegistration(h, actions.length);
    h.whatsapp.failNext({ code: 131026 });
    const dealId = h.portal.createDeal({ stageId: 'NEW' });
    const { run } = await h.portal.runRobot({
      code: 'wa_send_text',
      documentId: ['crm', 'CCrmDocumentDeal', `DEAL_${dealId}`],
      properties: { text: 'x', phone: '79161234567' },
    });
    await h.portal.waitForRun(run.eventToken, 10_000);
    // The app's metrics live in the worker's registry here (same process in tests).
    const text = await defined(h.workerRuntimes[0], 'worker runtime').metrics.registry.metrics();
    expect(text).toMatch(/wa_errors_total\{code="undeliverable"\} 1/);
    expect(text).toMatch(/wa_jobs_total\{queue="run-action",outcome="error"\} 1/);
    const web = await (await fetch(`${h.appUrl}/metrics`)).text();
    expect(web).toMatch(/wa_robot_calls_total\{outcome="queued"\} 1/);
    expect(web).toMatch(/wa_queue_jobs\{queue="run-action",state="waiting"\} 0/);
    expect(web).toMatch(/wa_pending_callbacks 0/);
    expect(web).toMatch(/wa_open_waits 0/);
  });

  it('ONAPPUNINSTALL forgets the portal, its tokens and lines; later calls are refused', async () => {
    await waitForRegistration(h, actions.length);
    const { applicationToken } = h.portal.currentTokens();
    const result = await h.portal.uninstallApp({ url: `${h.appUrl}/b24/events` });
    expect(result.status).toBe(200);
    expect(await h.rt.portals.get(h.memberId)).toBeNull();
    expect(await h.rt.lines.list(h.memberId)).toEqual([]);
    expect(await h.redis.get(h.rt.keys.lineByNumber('200000000000002'))).toBeNull();
    const late = await fetch(`${h.appUrl}/b24/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        event: 'ONCRMDEALUPDATE',
        'data[FIELDS][ID]': '1',
        'auth[member_id]': h.memberId,
        'auth[application_token]': applicationToken,
      }),
    });
    expect(late.status).toBe(401);
    expect(await h.redis.keys(`${h.rt.keys.portal(h.memberId).replace(/:portal$/, '')}:*`)).toEqual([]);
  });

  it('a dead Redis gives the robot call a 503 at once, not a hanging request', async () => {
    const dead = await deadRedis();
    const rt = createRuntime({ config: h.rt.config, redis: dead, log: createLogger('silent'), keyPrefix: 'dead' });
    const web = await startWebProcess(rt);
    try {
      expect((await postBareRobotCall(web.url)).status).toBe(503);
      const health = await fetch(`${web.url}/healthz`);
      expect(health.status).toBe(503);
      // Exactly these two keys: the reason (ioredis' "Stream isn't writeable…") goes to the log only.
      expect(await health.json()).toStrictEqual({ status: 'unavailable', redis: false });
    } finally {
      await web.close();
      dead.disconnect();
    }
  });

  it("a web process whose queue connection is down is not healthy, though its stores' connection is", async () => {
    const live = createRedis(h.redisUrl, 'http');
    live.on('error', () => undefined);
    const dead = await deadRedis();
    await waitReady(live);
    const log = createLogger('silent');
    const rt = createRuntime({ config: h.rt.config, redis: live, queueRedis: dead, log, keyPrefix: 'qdown' });
    const web = await startWebProcess(rt);
    try {
      const health = await fetch(`${web.url}/healthz`);
      expect(health.status).toBe(503);
      expect(await health.json()).toStrictEqual({ status: 'unavailable', redis: false });
    } finally {
      await web.close();
      live.disconnect();
      dead.disconnect();
    }
  });

  it('lines add/list/remove through the CLI command', async () => {
    const added = await runLinesCommand(
      h.rt,
      'add',
      { portal: h.memberId, 'phone-number-id': '300000000000003', 'access-token': 'tok-2', name: 'Sales', id: 'sales' },
      [],
    );
    // The number is not on the Cloud API simulator: its health read on connect fails, and says so.
    expect(
      added.startsWith(`line sales added to portal ${h.memberId} (robots and activities will be re-registered`),
    ).toBe(true);
    expect(added).toContain("; health could not be read (The line's WhatsApp access token");
    const listed = await runLinesCommand(h.rt, 'list', { portal: h.memberId }, []);
    expect(listed).toMatch(/main\tcloud\t200000000000002\tMain line\t80\/s/);
    expect(listed).toMatch(/sales\tcloud\t300000000000003\tSales\t80\/s/);
    const stored = await h.redis.hget(h.rt.keys.lines(h.memberId), 'sales');
    expect(stored).not.toContain('tok-2');
    await expect(
      runLinesCommand(h.rt, 'add', { portal: 'nope', 'phone-number-id': '1', 'access-token': 't' }, []),
    ).rejects.toThrow(/not installed/);
    await expect(
      runLinesCommand(
        h.rt,
        'add',
        { portal: h.memberId, 'phone-number-id': '200000000000002', 'access-token': 't', id: 'dup' },
        [],
      ),
    ).rejects.toThrow(/already connected as line main/);
    expect(await runLinesCommand(h.rt, 'remove', { portal: h.memberId }, ['sales'])).toMatch(/^line sales removed/);
    expect(await h.rt.lines.list(h.memberId)).toHaveLength(1);
  });

  it('portals set: a per-portal phone region and REST limit take effect', async () => {
    expect(
      await runPortalsCommand(h.rt, 'set', {
        portal: h.memberId,
        'phone-region': 'kz',
        'rest-drain': '5',
        'rest-burst': '250',
      }),
    ).toBe(`portal ${h.memberId}: phone region KZ, REST 5/s burst 250`);
    expect(await runPortalsCommand(h.rt, 'list', {})).toContain(
      // The portal's domain is the host of the REST address the OAuth server confirmed.
      `${h.memberId}\t${new URL(h.portal.url()).host}\ten\tKZ\t5/s burst 250`,
    );
    // Registration done and nothing in flight; an idle bucket expires, so start from none: the level
    // this one call leaves is then exact, and its expiry shows the portal's own limit (250 / 5 per s).
    await waitForRegistration(h, actions.length);
    await settled(h);
    await h.redis.del(h.rt.keys.restBucket(h.memberId));
    await h.rt.bitrix(h.memberId).call('app.info');
    expect(await h.redis.hget(h.rt.keys.restBucket(h.memberId), 'level')).toBe('1');
    const ttl = Number(await h.redis.pttl(h.rt.keys.restBucket(h.memberId)));
    expect(ttl).toBeGreaterThan(40_000);
    expect(ttl).toBeLessThanOrEqual((250 / 5) * 1000 + 1000);
    await expect(runPortalsCommand(h.rt, 'set', { portal: h.memberId, 'phone-region': 'Kazakhstan' })).rejects.toThrow(
      /two-letter/,
    );
  });

  it('stores portal tokens encrypted at rest', async () => {
    const raw = await h.redis.get(h.rt.keys.portal(h.memberId));
    const tokens = h.portal.currentTokens();
    expect(raw).not.toContain(tokens.accessToken);
    expect(raw).not.toContain(tokens.applicationToken);
    expect((await h.rt.portals.get(h.memberId))?.accessToken).toBe(tokens.accessToken);
  });
});
