import { CONNECTOR_ID } from '../../openlines/connector';
import { createGreenApiSimulator, type GreenApiSimulator } from '../../simulators/green-api';
import { createRegisteredHarness, type Harness } from '../helpers/harness';
import { openSettings, pageApi } from '../helpers/settings-page';

/** A harness with every robot registered, a Green-API simulator to connect from, and a settings-page session. */
async function startSettingsWithGreenApi() {
  const h = await createRegisteredHarness();
  const green = createGreenApiSimulator();
  const greenUrl = (await green.start(0)).url;
  const token = (await openSettings(h)).token ?? '';
  return { h, green, greenUrl, token };
}

/** Line changes from the settings page that must leave every other line (and the open lines) intact. */
describe('settings page: connecting and disconnecting lines safely', () => {
  let h: Harness;
  let green: GreenApiSimulator;
  let greenUrl: string;
  let token: string;
  beforeAll(async () => {
    ({ h, green, greenUrl, token } = await startSettingsWithGreenApi());
  });
  afterAll(async () => {
    await green.stop();
    await h.close();
  });

  const connectGreen = (idInstance: string, apiToken: string) =>
    pageApi(h, token, 'POST', '/lines', { provider: 'green-api', idInstance, apiToken, apiUrl: greenUrl });

  it('refuses an instance another line has without re-pointing its webhook (the connected line keeps working)', async () => {
    green.addInstance({ idInstance: '1101000081', apiTokenInstance: 'ga-first', wid: '79005550081' });
    const first = await connectGreen('1101000081', 'ga-first');
    expect(first.status).toBe(201);
    const line = first.json.line as { id: string; webhookUrl: string };
    const before = green.instanceWebhook('1101000081');
    expect(before?.url).toBe(line.webhookUrl);
    const again = await connectGreen('1101000081', 'ga-first');
    expect(again).toMatchObject({ status: 400, json: { error: { code: 'line_conflict' } } });
    expect(green.instanceWebhook('1101000081')).toEqual(before);
    expect((await h.rt.lines.get(h.memberId, line.id))?.webhookToken).toBe(before?.token);
    // Set by a portal admin: guarded when connecting whatever GREEN_API_HOSTS says later.
    expect((await h.rt.lines.get(h.memberId, line.id))?.apiUrlBy).toBe('page');
  });

  it('keeps no line whose instance could not be pointed at it (setSettings failed)', async () => {
    green.addInstance({ idInstance: '1101000082', apiTokenInstance: 'ga-second', wid: '79005550082' });
    green.failNext({ status: 500, method: 'setSettings' });
    const failed = await connectGreen('1101000082', 'ga-second');
    expect(failed.status).toBeGreaterThanOrEqual(400);
    expect(await h.rt.lines.findByPhoneNumberId('1101000082')).toBeNull();
    expect((await h.rt.lines.list(h.memberId)).map((l) => l.phoneNumberId)).not.toContain('1101000082');
    // Once Green-API answers again the same instance connects.
    expect((await connectGreen('1101000082', 'ga-second')).status).toBe(201);
  });
});

describe('settings page: a disconnected line frees its open line; errors are filed by line', () => {
  let h: Harness;
  let green: GreenApiSimulator;
  let greenUrl: string;
  let token: string;
  beforeAll(async () => {
    ({ h, green, greenUrl, token } = await startSettingsWithGreenApi());
  });
  afterAll(async () => {
    await green.stop();
    await h.close();
  });

  it('detaches the open line (connector off), forgets the webhook time and turns the instance webhook off', async () => {
    h.portal.addOpenLine(6, 'Support');
    green.addInstance({ idInstance: '1101000083', apiTokenInstance: 'ga-third', wid: '79005550083' });
    const connected = await pageApi(h, token, 'POST', '/lines', {
      provider: 'green-api',
      idInstance: '1101000083',
      apiToken: 'ga-third',
      apiUrl: greenUrl,
    });
    const lineId = (connected.json.line as { id: string }).id;
    expect((await pageApi(h, token, 'POST', `/lines/${lineId}/open-line`, { openLineId: '6' })).status).toBe(200);
    await h.rt.lines.markWebhook(h.memberId, lineId, h.rt.clock.now());
    expect(await pageApi(h, token, 'DELETE', `/lines/${lineId}`)).toMatchObject({ json: { removed: true } });
    expect(await h.rt.openLines.forOpenLine(h.memberId, '6')).toBeNull();
    expect(await h.rt.openLines.forLine(h.memberId, lineId)).toBeNull();
    expect(h.portal.state.openLines.statuses.get(`${CONNECTOR_ID}|6`)?.active).toBe(false);
    expect(await h.rt.lines.lastWebhookAt(h.memberId, lineId)).toBeUndefined();
    expect(green.instanceWebhook('1101000083')?.url).toBe('');
    // The open line serves another line at once.
    expect((await pageApi(h, token, 'POST', '/lines/main/open-line', { openLineId: '6' })).status).toBe(200);
  });

  it('files an error of a call under the line it went to (the Activity filter by line finds it)', async () => {
    const dealId = h.portal.createDeal({ stageId: 'NEW' });
    const { run } = await h.portal.runRobot({
      code: 'wa_send_buttons',
      documentId: ['crm', 'CCrmDocumentDeal', `DEAL_${dealId}`],
      properties: { phone: '12', body: 'Text', buttons: ['Yes', 'No'], line: 'main' },
    });
    const done = await h.portal.waitForRun(run.eventToken, 10_000);
    expect(done.returnValues).toMatchObject({ status: 'error' });
    const errors = (await pageApi(h, token, 'GET', '/activity?line=main')).json.errors as Array<{
      lineId: string;
      action: string;
    }>;
    expect(errors).toContainEqual(expect.objectContaining({ lineId: 'main', code: 'invalid_phone' }));
    expect((await pageApi(h, token, 'GET', '/activity?line=other')).json.errors).toEqual([]);
  });
});
