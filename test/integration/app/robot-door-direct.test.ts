import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { type AppDeps, createExpressApp } from '../../../app/create-app';
import { mountDirectDoors } from '../../../app/doors/direct-doors';
import { createRobotDoorDirect } from '../../../app/doors/robot-door-direct';
import { BODY_LIMIT } from '../../../app/middleware/body-parsers';
import { endpoints } from '../../../config/endpoints';
import { createLogger } from '../../../lib/logger';
import { defined } from '../../helpers/defined';
import { createHarness, type Harness } from '../../helpers/harness';
import { postRaw, type RawPost } from '../../helpers/raw-http';
import {
  cutUploadLines,
  deadRedisAnswers,
  FORM,
  postBothWays,
  type Served,
  seen,
  serve,
} from '../../helpers/robot-door-served';

/** Forms the direct path leaves to Express as they come (it reads only the spellings Bitrix24 sends). */
const LEFT_TO_EXPRESS = [`${FORM};charset=UTF-8`, `${FORM}; charset=iso-8859-1`] as const;

describe('robot door direct path: the same answers, jobs and log lines as the Express door', () => {
  let h: Harness;
  let direct: Served;
  let viaExpress: Served;

  beforeAll(async () => {
    h = await createHarness({ startWorkers: false });
    direct = await serve(h.rt, true);
    viaExpress = await serve(h.rt, false);
  });
  afterAll(async () => {
    direct.server.close();
    viaExpress.server.close();
    await h.close();
  });

  const call = (eventToken: string, extra = '') => {
    const { applicationToken } = h.portal.currentTokens();
    return (
      `workflow_id=wf-1&code=wa_send_text&document_id%5B0%5D=crm&document_id%5B1%5D=CCrmDocumentDeal` +
      `&document_id%5B2%5D=DEAL_1&document_type%5B0%5D=crm&document_type%5B1%5D=CCrmDocumentDeal&document_type%5B2%5D=DEAL` +
      `&event_token=${eventToken}&properties%5Btext%5D=Hello%20%D0%BC%D0%B8%D1%80&properties%5Bphone%5D=%2B79161234567` +
      `&properties%5Blist%5D%5B0%5D=a&properties%5Blist%5D%5B1%5D=b&use_subscription=Y&timeout_duration=60` +
      `&auth%5Bmember_id%5D=${h.memberId}&auth%5Bapplication_token%5D=${applicationToken}` +
      `&auth%5Baccess_token%5D=at&auth%5Bdomain%5D=portal.example${extra}`
    );
  };
  const queued = async (eventToken: string) => {
    const jobs = await h.rt.queues.runAction.getJobs(['waiting']);
    const job = defined(
      jobs.find((j) => j.data.source === 'bitrix' && j.data.eventToken === eventToken),
      `job of ${eventToken}`,
    );
    return {
      data: { ...job.data, eventToken: undefined, receivedAt: undefined },
      opts: { ...job.opts, jobId: undefined, timestamp: undefined },
    };
  };

  type Case = [name: string, body: (token: string) => Buffer | string, status: number, contentType?: string];
  const cases: Case[] = [
    ['a robot call', (t) => call(t), 200],
    ['an unknown code (the worker reports it)', (t) => call(t).replace('code=wa_send_text', 'code=nope'), 200],
    ['prototype-named keys', (t) => call(t, '&properties%5B__proto__%5D%5Bx%5D=1&constructor=1'), 200],
    ['a byte-order mark first', (t) => `\uFEFF${call(t)}`, 200],
    ['declared charset=utf-8', (t) => call(t), 200, `${FORM}; charset=utf-8`],
    ['declared charset=UTF-8', (t) => call(t), 200, `${FORM}; charset=UTF-8`],
    ['declared ;charset=UTF-8', (t) => call(t), 200, LEFT_TO_EXPRESS[0]],
    ['declared Latin-1', (t) => call(t).replace(/%D0%BC%D0%B8%D1%80/, 'world'), 200, LEFT_TO_EXPRESS[1]],
    ['a forged application token', (t) => call(t).replace(/application_token%5D=[^&]+/, 'application_token%5D=f'), 401],
    ['an unknown portal', (t) => call(t).replace(/member_id%5D=[^&]+/, 'member_id%5D=nobody'), 401],
    ['no auth block', (t) => `workflow_id=wf&event_token=${t}`, 401],
    ['no workflow id', (t) => call(t).replace('workflow_id=wf-1&', ''), 400],
    ['document_id of two parts', (t) => call(t).replace('&document_id%5B2%5D=DEAL_1', ''), 400],
    ['invalid UTF-8 once decoded', (t) => call(t, '&properties%5Bx%5D=%C3%28'), 400],
    ['a raw 0xFF byte', (t) => Buffer.concat([Buffer.from(call(t)), Buffer.from([0xff])]), 400],
    ['keys nested 9 deep', (t) => call(t, `&properties${'%5Bx%5D'.repeat(9)}=1`), 400],
    // The call has 19 fields.
    ['20,001 fields', (t) => call(t, Array.from({ length: 20_001 - 19 }, (_, i) => `&p${i}=1`).join('')), 400],
  ];

  it.each(cases)('%s', async (name, body, status, contentType = FORM) => {
    const token = `evt-${name.replace(/\W+/g, '-')}`;
    const answers = await postBothWays(direct, viaExpress, endpoints.robot, (suffix) => ({
      headers: { 'content-type': contentType },
      body: body(`${token}-${suffix}`),
    }));
    expect(answers[0]).toEqual(answers[1]);
    expect(answers[0]?.status).toBe(status);
    // The direct path answers a plain call itself and passes every other request to Express.
    const plain = status === 200 && !LEFT_TO_EXPRESS.some((type) => type === contentType);
    expect(direct.passed).toEqual(plain ? [] : [`POST ${endpoints.robot}`]);
    if (status === 200) {
      const [fromDirect, fromExpress] = [await queued(`${token}-d`), await queued(`${token}-e`)];
      expect(fromDirect.data).toEqual(fromExpress.data);
      expect(fromDirect.opts).toEqual(fromExpress.opts);
    }
  });

  it('a forged token is checked against the portal store once, not again by the Express door', async () => {
    const { portals } = h.rt;
    const authenticate = portals.authenticate;
    let checks = 0;
    portals.authenticate = (...args) => {
      checks += 1;
      return authenticate.apply(portals, args);
    };
    try {
      direct.log.length = 0;
      const forged = call('evt-forged-once').replace(/application_token%5D=[^&]+/, 'application_token%5D=f');
      const response = await postRaw(`${direct.url}${endpoints.robot}`, {
        headers: { 'content-type': FORM },
        body: forged,
      });
      expect(seen(response, direct.log)).toMatchObject({ status: 401, body: { error: 'invalid_application_token' } });
      expect(checks).toBe(1);
    } finally {
      portals.authenticate = authenticate;
    }
  });

  it('the robot and webhook doors are mounted first or not at all: the direct paths hand requests only to such an app', () => {
    const app = express();
    app.use((_req, _res, next) => next());
    expect(() => mountDirectDoors(app, h.rt)).toThrow(/robot and webhook doors must be the first layers/);
    const fresh = express();
    expect(mountDirectDoors(fresh, h.rt)).toBe(fresh);
    // The robot door's router, then the webhook door's: nothing between them.
    const routes = fresh.router.stack.map((layer) => {
      const router: unknown = layer.handle;
      const stack = typeof router === 'function' && 'stack' in router ? router.stack : [];
      return Array.isArray(stack) ? stack.map((l: { route?: { path: string } }) => l.route?.path) : [];
    });
    expect(routes).toEqual([[endpoints.robot], [endpoints.whatsappWebhook, endpoints.whatsappWebhook]]);
  });

  it('a request error after the body is read changes nothing (the read has settled)', async () => {
    const deps: AppDeps = { ...h.rt, log: createLogger('silent') };
    const door = createRobotDoorDirect(deps, createExpressApp(deps));
    const late = new Error('late');
    const server = createServer((req, res) => {
      door(req, res);
      res.once('finish', () => req.emit('error', late));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo; // as above
      const response = await postRaw(`http://127.0.0.1:${port}${endpoints.robot}`, {
        headers: { 'content-type': FORM },
        body: call('evt-late-error'),
      });
      expect(response.status).toBe(200);
      expect(Object.keys(late)).toEqual([]);
    } finally {
      server.close();
    }
  });

  type HandOff = [name: string, path: string, post: (token: string) => RawPost, status: number];
  const form = (body: Buffer | string, extra: Partial<RawPost> = {}): RawPost => ({
    headers: { 'content-type': FORM, ...extra.headers },
    body,
    chunked: extra.chunked,
  });
  const handOffs: HandOff[] = [
    ['sent chunked', endpoints.robot, (t) => form(call(t), { chunked: true }), 200],
    ['gzip-encoded', endpoints.robot, (t) => form(call(t), { headers: { 'content-encoding': 'gzip' } }), 400],
    ['a query string', `${endpoints.robot}?x=1`, (t) => form(call(t)), 200],
    ['a trailing slash', `${endpoints.robot}/`, (t) => form(call(t)), 200],
    ['an empty body', endpoints.robot, () => form(''), 401],
    ['a body over the limit', endpoints.robot, () => form(Buffer.alloc(BODY_LIMIT + 1, 'a')), 413],
  ];

  it.each(handOffs)('left to Express as it comes: %s', async (name, path, post, status) => {
    const token = `evt-off-${name.replace(/\W+/g, '-')}`;
    const answers = await postBothWays(direct, viaExpress, path, (suffix) => post(`${token}-${suffix}`));
    expect(answers[0]).toEqual(answers[1]);
    expect(answers[0]?.status).toBe(status);
    expect(direct.passed).toEqual([`POST ${path}`]);
  });

  it.each(['HEAD', 'OPTIONS'])('left to Express as it comes: %s', async (method) => {
    const [fromDirect, fromExpress] = await Promise.all(
      [direct, viaExpress].map((served) => fetch(`${served.url}${endpoints.robot}`, { method })),
    );
    expect(fromDirect?.status).toBe(fromExpress?.status);
    expect(direct.passed).toContain(`${method} ${endpoints.robot}`);
  });

  it('a repeated call (same event token) is one job, answered with its id both times', async () => {
    const first = await postRaw(`${direct.url}${endpoints.robot}`, {
      headers: { 'content-type': FORM },
      body: call('evt-repeat'),
    });
    const again = await postRaw(`${direct.url}${endpoints.robot}`, {
      headers: { 'content-type': FORM },
      body: call('evt-repeat'),
    });
    expect(JSON.parse(again.text)).toEqual(JSON.parse(first.text));
    const jobs = await h.rt.queues.runAction.getJobs(['waiting']);
    expect(jobs.filter((j) => j.data.source === 'bitrix' && j.data.eventToken === 'evt-repeat')).toHaveLength(1);
  });

  it('an upload cut short is refused and logged as the Express door does, and the door goes on serving', async () => {
    const lines = await cutUploadLines(
      [direct, viaExpress],
      endpoints.robot,
      { 'content-type': FORM },
      'workflow_id=1&',
    );
    expect(lines[0]).toEqual(lines[1]);
    expect(lines[0]).toMatchObject({ code: 'bad_request', type: 'request.aborted' });
    const after = await postRaw(`${direct.url}${endpoints.robot}`, {
      headers: { 'content-type': FORM },
      body: call('evt-after-abort'),
    });
    expect(after.status).toBe(200);
  });

  it('a dead Redis: a 503 at once from the direct path, answered and logged as by the Express door', async () => {
    const post = { headers: { 'content-type': FORM }, body: call('evt-dead') };
    const { answers, passed } = await deadRedisAnswers(h.rt, createRobotDoorDirect, endpoints.robot, post);
    expect(answers[0]).toEqual(answers[1]);
    expect(answers[0]).toMatchObject({ status: 503, body: { error: 'unavailable' } });
    expect(passed).toEqual([`POST ${endpoints.robot}`]);
  });
});
