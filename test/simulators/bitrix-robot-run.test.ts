import type { BitrixPortalSimulator } from '../../simulators/bitrix24';
import { parsePhpQuery } from '../../simulators/shared/php-form';
import { defined } from '../helpers/defined';
import { rest, robotFields, startPortal } from './bitrix-helpers';
import { type Receiver, startReceiver } from './receiver';

describe('bitrix24 simulator: install, robot runs, event.send, stage moves', () => {
  let sim: BitrixPortalSimulator;
  let app: Receiver;
  beforeEach(async () => {
    ({ sim } = await startPortal({ languageId: 'en' }));
    app = await startReceiver();
  });
  afterEach(async () => {
    await sim.stop();
    await app.stop();
  });

  it('posts ONAPPINSTALL with the documented field set and a new application_token each time', async () => {
    const first = await sim.installApp({ installUrl: `${app.url}/install` });
    expect(first.status).toBe(200);
    expect(first.applicationToken).toMatch(/^[0-9a-f]{32}$/);
    const req = defined(app.received[0], 'ONAPPINSTALL request');
    expect(req.headers['content-type']).toBe('application/x-www-form-urlencoded');
    const keys = req.raw.split('&').map((p) => decodeURIComponent(defined(p.split('=')[0], 'field name')));
    expect(keys).toEqual([
      'event',
      'event_handler_id',
      'data[VERSION]',
      'data[ACTIVE]',
      'data[INSTALLED]',
      'data[LANGUAGE_ID]',
      'ts',
      'auth[access_token]',
      'auth[expires]',
      'auth[expires_in]',
      'auth[scope]',
      'auth[domain]',
      'auth[server_endpoint]',
      'auth[status]',
      'auth[client_endpoint]',
      'auth[member_id]',
      'auth[user_id]',
      'auth[refresh_token]',
      'auth[application_token]',
    ]);
    const parsed = parsePhpQuery(req.raw) as Record<string, Record<string, string>>;
    expect(parsed.auth?.application_token).toBe(first.applicationToken);
    expect(parsed.auth?.access_token).toBe(sim.currentTokens().accessToken);
    const second = await sim.installApp({ installUrl: `${app.url}/install` });
    expect(second.applicationToken).not.toBe(first.applicationToken);
  });

  it('runs a robot, accepts event.send once, filters return values', async () => {
    await sim.installApp({ installUrl: `${app.url}/install` });
    await rest(sim, 'bizproc.robot.add', robotFields('wa_send', `${app.url}/robot`));
    const dealId = sim.createDeal({ title: 'D' });
    const { httpStatus, run } = await sim.runRobot({
      code: 'wa_send',
      documentId: ['crm', 'CCrmDocumentDeal', `DEAL_${dealId}`],
      properties: { text: 'Привет | мир', tags: ['vip', 'new'] },
    });
    expect(httpStatus).toBe(200);
    expect(run.workflowId).toMatch(/^[0-9a-f]{14}\.[0-9]{8}$/);
    expect(run.eventToken).toMatch(/^[0-9a-f]{14}\.[0-9]{8}\|A\d{5}_\d{5}_\d{5}_\d{5}\|[A-Za-z0-9]{32}\.[0-9a-f]{64}$/);
    const raw = defined(app.received[1], 'robot call').raw;
    expect(raw).toContain(`document_id%5B2%5D=DEAL_${dealId}`);
    expect(raw).toContain('properties%5Btags%5D%5B1%5D=new');
    const body = parsePhpQuery(raw) as Record<string, unknown>;
    expect(body).toEqual(
      expect.objectContaining({
        code: 'wa_send',
        document_type: ['crm', 'CCrmDocumentDeal', 'DEAL'],
        event_token: run.eventToken,
        properties: { text: 'Привет | мир', tags: ['vip', 'new'] },
        use_subscription: 'Y',
        timeout_duration: '0',
      }),
    );
    expect((body.auth as Record<string, string>).application_token).toBe(sim.currentTokens().applicationToken);

    const waiting = sim.waitForRun(run.eventToken, 2000);
    const send = await rest(sim, 'bizproc.event.send', {
      event_token: run.eventToken,
      return_values: { ANSWER: 'yes', typo: 1 },
      log_message: 'done',
    });
    expect(send.json.result).toBe(true);
    const done = await waiting;
    expect(done.returnValues).toEqual({ answer: 'yes' });
    expect((await rest(sim, 'bizproc.event.send', { EVENT_TOKEN: run.eventToken })).json.result).toBe(true);
    expect(sim.eventSends().map((e) => e.outcome)).toEqual(['accepted', 'ignored']);
    expect(sim.eventSends()[0]?.ignoredKeys).toEqual(['typo']);

    const tampered = run.eventToken.slice(0, -1) + (run.eventToken.endsWith('0') ? '1' : '0');
    expect(await rest(sim, 'bizproc.event.send', { event_token: tampered })).toEqual({
      status: 403,
      json: { error: 'ACCESS_DENIED', error_description: 'Access denied!' },
    });
  });

  it('stops robots when the deal moves, delivers ONCRMDEALUPDATE without tokens; event.send then gets 404', async () => {
    await rest(sim, 'bizproc.robot.add', robotFields('wa_wait', `${app.url}/robot`));
    await rest(sim, 'bizproc.activity.add', robotFields('wa_wait_bp', `${app.url}/activity`));
    await rest(sim, 'event.bind', { event: 'ONCRMDEALUPDATE', handler: `${app.url}/event` });
    const dealId = sim.createDeal({ stageId: 'NEW' });
    const doc: [string, string, string] = ['crm', 'CCrmDocumentDeal', `DEAL_${dealId}`];
    const robot = (await sim.runRobot({ code: 'wa_wait', documentId: doc, properties: { text: 'a' } })).run;
    const activity = (await sim.runRobot({ code: 'wa_wait_bp', documentId: doc, properties: { text: 'b' } })).run;
    expect(robot.stageAtStart).toBe('NEW');
    const deliveries = await sim.moveDeal(dealId, 'PREPARATION');
    expect(deliveries.map((d) => d.status)).toEqual([200]);
    const ev = parsePhpQuery(defined(app.received[2], 'ONCRMDEALUPDATE delivery').raw) as Record<
      string,
      Record<string, unknown>
    >;
    expect(ev.event).toBe('ONCRMDEALUPDATE');
    expect(ev.data).toEqual({ FIELDS: { ID: String(dealId) } });
    expect(Object.keys(defined(ev.auth, 'event auth')).sort()).toEqual([
      'application_token',
      'client_endpoint',
      'domain',
      'member_id',
      'server_endpoint',
    ]);
    expect(sim.runs().map((r) => r.status)).toEqual(['stopped', 'running']);

    const late = await rest(sim, 'bizproc.event.send', {
      event_token: robot.eventToken,
      return_values: { answer: 'x' },
    });
    expect(late).toEqual({
      status: 400,
      json: { error: 404, error_description: 'The business process is not found.' },
    });
    expect((await rest(sim, 'bizproc.event.send', { event_token: activity.eventToken })).json.result).toBe(true);
    expect(sim.eventSends().map((e) => e.outcome)).toEqual(['workflow_not_found', 'accepted']);
  });

  it('localises the not-found error in ru and handles terminateWorkflow', async () => {
    const ru = (await startPortal({ languageId: 'ru' })).sim;
    try {
      await rest(ru, 'bizproc.activity.add', robotFields('bp', `${app.url}/a`));
      const { run } = await ru.runRobot({ code: 'bp', documentId: ['crm', 'CCrmDocumentLead', 'LEAD_1'] });
      ru.terminateWorkflow(run.workflowId);
      const r = await rest(ru, 'bizproc.event.send', { event_token: run.eventToken });
      expect(r).toEqual({ status: 400, json: { error: 404, error_description: 'Бизнес-процесс не найден.' } });
    } finally {
      await ru.stop();
    }
  });
});
