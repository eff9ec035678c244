import { actions } from '../../actions';
import { mintPageSession, PAGE_SESSION_TTL_MS } from '../../portals/page-session';
import { createGreenApiSimulator, type GreenApiSimulator } from '../../simulators/green-api';
import { createRegisteredHarness, eventually, type Harness, LINE } from '../helpers/harness';
import { bootOf, openSettings, pageApi } from '../helpers/settings-page';
import { startButtonsWait, waitField, waitIdOf } from '../helpers/waits';

describe('settings page (server side)', () => {
  let h: Harness;
  let green: GreenApiSimulator;
  let greenUrl: string;
  beforeAll(async () => {
    h = await createRegisteredHarness({
      portalTimeZone: 'Asia/Yekaterinburg',
      // Every opening here comes from one address within seconds; the windows have their own test.
      sessionLimits: {
        perAddress: { limit: 100, windowMs: 60_000 },
        perPortal: { limit: 100, windowMs: 60_000 },
        perSessionUser: { limit: 100, windowMs: 60_000 },
      },
    });
    green = createGreenApiSimulator();
    greenUrl = (await green.start(0)).url;
    green.addInstance({ idInstance: '1101000077', apiTokenInstance: 'ga-page-token', wid: '79005550077' });
    h.portal.addUser({ id: 7, admin: false, name: 'Olga', lastName: 'Manager' });
  });
  afterAll(async () => {
    await green.stop();
    await h.close();
  });

  it('opens for a user the portal confirms with profile, and says whether they are an admin', async () => {
    const admin = await openSettings(h, undefined, 'ru');
    expect(admin).toMatchObject({ admin: true, userName: 'Admin Simulator', lang: 'ru' });
    // Times on the page are shown in the portal's zone.
    expect(admin.timeZone).toBe('Asia/Yekaterinburg');
    expect(admin.words['settings.tab.lines']).toBe('Линии');
    const manager = await openSettings(h, 7, 'en');
    expect(manager).toMatchObject({ admin: false, userName: 'Olga Manager', lang: 'en' });
    expect(manager.token).toEqual(expect.any(String));
    // Replacement patterns in a name are text, not String.replace directives that rewrite the page.
    h.portal.addUser({ id: 12, admin: false, name: "$'$&$`", lastName: '$1' });
    expect(await openSettings(h, 12, 'en')).toMatchObject({ userName: "$'$&$` $1", admin: false });
  });

  it('refuses a forged AUTH_ID, an unknown portal and an inactive user; never calls the DOMAIN it is given', async () => {
    const opening = h.portal.pageOpening({ url: `${h.appUrl}/b24/settings` });
    const post = (fields: Record<string, string>, url = opening.url) =>
      fetch(url, { method: 'POST', body: new URLSearchParams(fields) });
    const forged = await post({ ...opening.fields, AUTH_ID: 'forged-token' });
    expect(forged.status).toBe(401);
    expect(bootOf(await forged.text())).toMatchObject({ error: expect.stringMatching(/did not confirm/) });
    const unknown = await post({ ...opening.fields, member_id: 'not-installed' });
    expect(unknown.status).toBe(403);
    // The DOMAIN of the query points elsewhere: the stored portal is asked, and the real token passes.
    const elsewhere = new URL(opening.url);
    elsewhere.searchParams.set('DOMAIN', 'attacker.example');
    const passes = await post(opening.fields, elsewhere.toString());
    expect(passes.status).toBe(200);
    expect(bootOf(await passes.text()).token).toEqual(expect.any(String));
    const oddLang = new URL(opening.url);
    oddLang.searchParams.set('LANG', 'x'.repeat(50));
    const fresh = h.portal.pageOpening({ url: `${h.appUrl}/b24/settings` });
    expect((await post(fresh.fields, oddLang.toString())).status).toBe(200);
    h.portal.addUser({ id: 8, active: false });
    const inactive = h.portal.pageOpening({ url: `${h.appUrl}/b24/settings`, userId: 8 });
    expect((await post(inactive.fields, inactive.url)).status).toBe(401);
  });

  it('trades the frame SDK token for a session (a page opened by GET, or a renewal)', async () => {
    const opening = h.portal.pageOpening({ url: `${h.appUrl}/b24/settings`, userId: 7 });
    const session = (body: unknown) =>
      fetch(`${h.appUrl}/b24/settings/api/session`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      });
    const ok = await session({ member_id: h.memberId, AUTH_ID: opening.fields.AUTH_ID, LANG: 'ru' });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({
      admin: false,
      userName: 'Olga Manager',
      lang: 'ru',
      token: expect.any(String),
    });
    expect((await session({ member_id: h.memberId, AUTH_ID: 'forged' })).status).toBe(401);
    expect((await session({ member_id: h.memberId })).status).toBe(401);
  });

  it('refuses a forged or expired page session, and a non-admin change', async () => {
    const forged = await pageApi(h, 'eyJmYWtlIjp0cnVlfQ.bad', 'GET', '/overview');
    expect(forged).toMatchObject({ status: 401, json: { error: { code: 'page_session_invalid' } } });
    const expired = mintPageSession(
      h.rt.pageSessionKey,
      { memberId: h.memberId, userId: 1, admin: true, name: 'Admin', lang: 'en' },
      Date.now() - PAGE_SESSION_TTL_MS - 1000,
    );
    expect(await pageApi(h, expired, 'GET', '/overview')).toMatchObject({
      status: 401,
      json: { error: { code: 'page_session_expired' } },
    });
    const { token } = await openSettings(h, 7);
    const readOnly = token ?? '';
    expect((await pageApi(h, readOnly, 'GET', '/overview')).status).toBe(200);
    const change = await pageApi(h, readOnly, 'PATCH', '/lines/main', { name: 'Hijacked' });
    expect(change).toMatchObject({ status: 403, json: { error: { code: 'admin_required' } } });
    expect((await pageApi(h, readOnly, 'DELETE', '/lines/main')).status).toBe(403);
    expect((await h.rt.lines.get(h.memberId, 'main'))?.name).toBe('Main line');
    const overview = await pageApi(h, readOnly, 'GET', '/overview');
    expect(overview.json).toMatchObject({ webhook: { verifyToken: null } });
  });

  it('tests, connects, renames, rates and disconnects a Cloud API line; robots are registered again', async () => {
    const { token = '' } = await openSettings(h);
    h.whatsapp.addPhoneNumber({
      phoneNumberId: '300000000000077',
      accessToken: 'EAAG-page',
      displayPhoneNumber: '79007770077',
    });
    const bad = await pageApi(h, token, 'POST', '/lines/test', {
      provider: 'cloud',
      phoneNumberId: '300000000000077',
      accessToken: 'wrong',
    });
    expect(bad).toMatchObject({ status: 400, json: { error: { code: 'line_auth_failed' } } });
    const ok = await pageApi(h, token, 'POST', '/lines/test', {
      provider: 'cloud',
      phoneNumberId: '300000000000077',
      accessToken: 'EAAG-page',
    });
    expect(ok).toMatchObject({ status: 200, json: { status: { connected: true, qualityRating: 'GREEN' } } });
    const setupsBefore = h.portal.stats().byMethod['bizproc.robot.update'] ?? 0;
    const connected = await pageApi(h, token, 'POST', '/lines', {
      provider: 'cloud',
      phoneNumberId: '300000000000077',
      accessToken: 'EAAG-page',
      wabaId: '102290129340398',
      name: 'Sales',
    });
    expect(connected).toMatchObject({ status: 201, json: { line: { name: 'Sales', wabaId: '102290129340398' } } });
    const id = String((connected.json.line as { id: string }).id);
    expect(JSON.stringify(connected.json)).not.toContain('EAAG-page');
    await eventually(
      () => (h.portal.stats().byMethod['bizproc.robot.update'] ?? 0) > setupsBefore,
      15_000,
      'robots registered again after the line change',
    );
    const changed = await pageApi(h, token, 'PATCH', `/lines/${id}`, { name: 'Sales RU', ratePerSec: 20 });
    expect(changed.json).toMatchObject({ line: { name: 'Sales RU', ratePerSec: 20 } });
    expect(await pageApi(h, token, 'DELETE', `/lines/${id}`)).toMatchObject({ json: { removed: true } });
    expect(await h.rt.lines.get(h.memberId, id)).toBeNull();
    const duplicate = await pageApi(h, token, 'POST', '/lines', {
      provider: 'cloud',
      phoneNumberId: LINE.phoneNumberId,
      accessToken: LINE.accessToken,
    });
    expect(duplicate).toMatchObject({ status: 400, json: { error: { code: 'line_conflict' } } });
  });

  it('connects a Green-API line and points the instance at the line webhook (setSettings)', async () => {
    const { token = '' } = await openSettings(h);
    // A host outside GREEN_API_HOSTS (here: cloud metadata) is never called with the instance's token.
    for (const path of ['/lines/test', '/lines']) {
      const metadata = await pageApi(h, token, 'POST', path, {
        provider: 'green-api',
        idInstance: '1101000077',
        apiToken: 'ga-page-token',
        apiUrl: 'http://169.254.169.254/latest',
      });
      expect(metadata).toMatchObject({ status: 400, json: { error: { code: 'green_api_url_refused' } } });
    }
    const connected = await pageApi(h, token, 'POST', '/lines', {
      provider: 'green-api',
      idInstance: '1101000077',
      apiToken: 'ga-page-token',
      apiUrl: greenUrl,
    });
    expect(connected).toMatchObject({ status: 201, json: { status: { connected: true, state: 'authorized' } } });
    const line = connected.json.line as { id: string; webhookUrl: string };
    const hook = green.instanceWebhook('1101000077');
    expect(hook?.url).toBe(line.webhookUrl);
    const stored = await h.rt.lines.get(h.memberId, line.id);
    expect(hook?.token).toBe(stored?.webhookToken);
    // The instance's events now reach the line: the webhook status shows it.
    const incoming = await green.deliverIncoming({ idInstance: '1101000077', from: '79161112233', text: 'hi' });
    expect(incoming.status).toBe(200);
    // The worker notes it as it takes the inbound job, after the door's 200: wait for that.
    const overview = await eventually(
      async () => {
        const page = await pageApi(h, token, 'GET', '/overview');
        const lines = page.json.lines as Array<{ id: string; lastWebhookAt: number | null }>;
        return typeof lines.find((l) => l.id === line.id)?.lastWebhookAt === 'number' && page;
      },
      10_000,
      'the line webhook noted on the overview',
    );
    expect(overview.json.webhook).toMatchObject({
      callbackUrl: `${h.appUrl}/whatsapp/webhook`,
      verifyToken: expect.any(String),
    });
    await pageApi(h, token, 'DELETE', `/lines/${line.id}`);
  });

  it('attaches a line to an open line and detaches it (the connector is switched on there and off)', async () => {
    h.portal.addOpenLine(5, 'Sales');
    const { token = '' } = await openSettings(h);
    const { token: managerToken = '' } = await openSettings(h, 7);
    expect((await pageApi(h, managerToken, 'POST', '/lines/main/open-line', { openLineId: '5' })).status).toBe(403);
    // An open line the portal does not have: the portal's refusal, named.
    const missing = await pageApi(h, token, 'POST', '/lines/main/open-line', { openLineId: '77' });
    expect(JSON.stringify(missing.json)).toContain('NOT_ACTIVE_LINE');
    expect(await pageApi(h, token, 'POST', '/lines/main/open-line', { openLineId: 'x' })).toMatchObject({
      status: 400,
      json: { error: { code: 'bad_parameter' } },
    });
    expect(await pageApi(h, token, 'POST', '/lines/main/open-line', { openLineId: '5' })).toMatchObject({
      status: 200,
      json: { openLineId: '5' },
    });
    expect((await h.rt.openLines.forOpenLine(h.memberId, '5'))?.lineId).toBe('main');
    const lines = (await pageApi(h, token, 'GET', '/lines')).json.lines as Array<{
      id: string;
      openLineId: string | null;
    }>;
    expect(lines.find((l) => l.id === 'main')?.openLineId).toBe('5');
    expect(await pageApi(h, token, 'DELETE', '/lines/main/open-line')).toMatchObject({ json: { detached: true } });
    expect(await h.rt.openLines.forOpenLine(h.memberId, '5')).toBeNull();
  });

  it('shows a sent message with its status and cancels an open wait (the robot gets cancelled)', async () => {
    const { token = '' } = await openSettings(h);
    const run = await startButtonsWait(h);
    const activity = await eventually(async () => {
      const answer = await pageApi(h, token, 'GET', '/activity?line=main');
      const messages = answer.json.messages as Array<{ messageId: string; status: string }>;
      return messages.some((m) => m.messageId === run.wamid) ? answer.json : undefined;
    });
    const waits = activity.waits as Array<{ id: string; documentId: string; robot: string | null }>;
    const waitId = waitIdOf(run);
    const shown = waits.find((w) => w.id === waitId);
    expect(shown?.documentId).toContain(`DEAL_${run.dealId}`);
    const buttons = actions.find((a) => a.code === 'send_buttons');
    expect(shown?.robot).toBe(buttons?.title.en);
    const failedOnly = await pageApi(h, token, 'GET', '/activity?status=failed');
    expect(failedOnly.json.messages).toEqual([]);
    const { token: managerToken = '' } = await openSettings(h, 7);
    expect((await pageApi(h, managerToken, 'POST', `/waits/${waitId}/cancel`)).status).toBe(403);
    expect(await pageApi(h, token, 'POST', `/waits/${waitId}/cancel`)).toMatchObject({ json: { cancelled: true } });
    const done = await h.portal.waitForRun(run.eventToken, 10_000);
    expect(done.returnValues).toMatchObject({ status: 'cancelled' });
    expect(await waitField(h, run, 'status')).toBe('cancelled');
    expect((await pageApi(h, token, 'POST', `/waits/${waitId}/cancel`)).status).toBe(404);
  });

  it('serves Bull Board to admins only, through the session in its path', async () => {
    const { token = '' } = await openSettings(h);
    const board = await fetch(`${h.appUrl}/b24/settings/queues/${token}/api/queues`);
    expect(board.status).toBe(200);
    const queues = ((await board.json()) as { queues: Array<{ name: string }> }).queues.map((q) => q.name);
    expect(queues).toContain('run-action');
    const page = await fetch(`${h.appUrl}/b24/settings/queues/${token}/`);
    // The board's URLs carry the session: its pages never pass them on as a Referer.
    expect(page.headers.get('referrer-policy')).toBe('no-referrer');
    expect(await page.text()).toContain(`/b24/settings/queues/${token}`);
    const { token: managerToken = '' } = await openSettings(h, 7);
    expect((await fetch(`${h.appUrl}/b24/settings/queues/${managerToken}/api/queues`)).status).toBe(403);
    expect((await fetch(`${h.appUrl}/b24/settings/queues/forged/api/queues`)).status).toBe(401);
  });

  it('keeps Bull Board from a tenant portal admin (every tenant jobs are on it) and read-only for the operator', async () => {
    const operator = await openSettings(h);
    expect(operator).toMatchObject({ admin: true, queues: true });
    // An admin of another portal: a valid page session, but not one of QUEUE_BOARD_PORTALS.
    const tenant = mintPageSession(
      h.rt.pageSessionKey,
      { memberId: 'tenant-portal', userId: 1, admin: true, name: 'Tenant admin', lang: 'en' },
      h.rt.clock.now(),
    );
    const refused = await fetch(`${h.appUrl}/b24/settings/queues/${tenant}/api/queues`);
    expect(refused.status).toBe(403);
    expect(refused.headers.get('referrer-policy')).toBe('no-referrer');
    expect(await refused.json()).toMatchObject({ error: { code: 'queue_board_forbidden' } });
    expect((await fetch(`${h.appUrl}/b24/settings/queues/${tenant}/`)).status).toBe(403);
    // The manager's boot says no board either (the page hides the tab).
    expect((await openSettings(h, 7)).queues).toBe(false);
    // The operator reads, but cannot pause a queue for every tenant (QUEUE_BOARD_WRITABLE is off).
    const pause = await fetch(`${h.appUrl}/b24/settings/queues/${operator.token}/api/queues/run-action/pause`, {
      method: 'PUT',
    });
    expect(pause.status).toBe(405);
    expect(await h.rt.queues.runAction.isPaused()).toBe(false);
  });
});
