import { type LinesCommandDeps, runLinesCommand } from '../../cli/lines-command';
import { gupshupWebhookPath } from '../../config/endpoints';
import type { Line } from '../../store/line-store';
import { connectGupshupLine, GUPSHUP } from '../helpers/gupshup';
import { createHarness, type Harness } from '../helpers/harness';
import { createManualClock } from '../helpers/manual-clock';
import { settled } from '../helpers/signals';
import { CUSTOMER } from '../helpers/waits';

const PAGE = 'the settings page (or stored before its setter was recorded)';
const RELAY = 'https://relay.example.com';

// `lines add --id` of an existing GupShup or Cloud API line: what it keeps when the flags leave it out
// (the callback secret, so the URL set in GupShup keeps working; the API host and its setter; the WABA
// id; name and rate), what an explicit flag replaces, and what another account does not inherit.
// Green-API's side is in green-api-line-hosts.test.ts.
describe('lines add --id: a re-added GupShup or Cloud API line keeps what it is not given', () => {
  const clock = createManualClock();
  let h: Harness;
  let gs: Line;
  beforeAll(async () => {
    h = await createHarness({ clock });
    await connectGupshupLine(h);
    const line = await h.rt.lines.get(h.memberId, GUPSHUP.lineId);
    if (!line) throw new Error('no GupShup line');
    gs = line;
  });
  afterAll(async () => {
    await h.close();
  });
  afterEach(async () => {
    for (const id of ['gs-relay', 'cloud2']) await h.rt.lines.remove(h.memberId, id);
    // The harness's GupShup line as it was (a test re-adds it), and the simulator's callback URL with it.
    await h.rt.lines.add(gs);
    h.gupshup.setWebhook({ url: `${h.appUrl}${gupshupWebhookPath(GUPSHUP.lineId, GUPSHUP.webhookToken)}` });
    // Each add queued the robots' re-registration (lines/line-admin.ts): done before the next test or teardown.
    await settled(h);
  });

  /**
   * `lines add` without a health read (the Cloud numbers here are not the simulator's), with the
   * guard on (the harness runs with ALLOW_PRIVATE_ADDRESSES for its simulators).
   */
  function add(flags: Record<string, string>): Promise<string> {
    // Each line added is newer than the harness's: the portal's default stays its oldest line.
    clock.advance(1000);
    const deps: LinesCommandDeps = {
      portals: h.rt.portals,
      lines: h.rt.lines,
      lineAdmin: h.rt.lineAdmin,
      config: { ...h.rt.config, ALLOW_PRIVATE_ADDRESSES: false },
    };
    return runLinesCommand(deps, 'add', { portal: h.memberId, ...flags }, []);
  }

  const gupshup = (id: string, appName: string) => ({
    provider: 'gupshup',
    id,
    'app-name': appName,
    'api-key': 'gs-api-key-2',
    source: '79001234567',
  });
  const callbackUrl = (id: string, secret: string) => `${h.rt.config.PUBLIC_URL}${gupshupWebhookPath(id, secret)}`;
  const inbound = (url?: string) =>
    h.gupshup.deliverIncoming({ appName: GUPSHUP.appName, from: CUSTOMER, content: { type: 'text', text: 'hi' }, url });

  it('GupShup, same app: the callback secret stays (the URL set in GupShup still verifies), so do name and rate', async () => {
    const { appName, apiKey, source, webhookToken } = GUPSHUP;
    const flags = { provider: 'gupshup', id: GUPSHUP.lineId, 'app-name': appName, 'api-key': apiKey, source };
    const out = await add({ ...flags, rate: '3' });
    // The secret GupShup has is not printed again: nothing to set there.
    expect(out).toContain(
      `the GupShup app's callback URL stays ${h.rt.config.PUBLIC_URL}/gupshup/webhook/${GUPSHUP.lineId}/<the kept secret, not shown> (v2 format): its secret was kept, so GupShup needs no change (--webhook-token to replace it)`,
    );
    expect(out).not.toContain(webhookToken);
    expect(out).toMatch(new RegExp(`^line ${GUPSHUP.lineId} re-added to portal `));
    expect(out).toContain('; kept its name "GupShup line" (--name, --rate to change)');
    expect(await h.rt.lines.get(h.memberId, GUPSHUP.lineId)).toMatchObject({
      webhookToken,
      name: 'GupShup line',
      ratePerSec: 3,
      createdAt: gs.createdAt,
    });
    // The URL GupShup has: still taken.
    expect((await inbound()).status).toBe(200);
    // A rate given once stays through the next re-add.
    await add(flags);
    expect(await h.rt.lines.get(h.memberId, GUPSHUP.lineId)).toMatchObject({ webhookToken, ratePerSec: 3 });
  });

  it('GupShup, same app: --webhook-token replaces the secret (the old URL is refused) and says so', async () => {
    const { appName, apiKey, source } = GUPSHUP;
    const fresh = 'gs-new-callback-secret-000';
    const flags = { provider: 'gupshup', id: GUPSHUP.lineId, 'app-name': appName, 'api-key': apiKey, source };
    const out = await add({ ...flags, 'webhook-token': fresh });
    expect(out).toContain(
      `set the GupShup app's callback URL to ${callbackUrl(GUPSHUP.lineId, fresh)} (v2 format): its secret is new, callbacks to the URL set before are refused`,
    );
    expect((await inbound()).status).toBe(401);
    expect((await inbound(`${h.appUrl}${gupshupWebhookPath(GUPSHUP.lineId, fresh)}`)).status).toBe(200);
  });

  it('GupShup, same app: a host keeps its setter unless --api-url names one', async () => {
    const first = await add({ ...gupshup('gs-relay', 'RelayApp'), 'api-url': RELAY, name: 'Relay' });
    expect(first).toContain(
      "; its API host relay.example.com is the CLI's: not checked against private addresses (GupShup hosts never are)",
    );
    const secret = (await h.rt.lines.get(h.memberId, 'gs-relay'))?.webhookToken;
    const kept = await add(gupshup('gs-relay', 'RelayApp'));
    expect(kept).toContain('stays http://');
    expect(kept).toContain('/gupshup/webhook/gs-relay/<the kept secret, not shown> (v2 format): its secret was kept');
    expect(kept).not.toContain(secret);
    expect(kept).toContain(
      `; kept its API host relay.example.com, set by the CLI: not checked against private addresses (GupShup hosts never are) (--api-url to replace it; --api-url ${h.rt.config.GUPSHUP_API_URL} for GupShup's default)`,
    );
    expect(await h.rt.lines.get(h.memberId, 'gs-relay')).toMatchObject({
      apiUrl: RELAY,
      apiUrlBy: 'cli',
      webhookToken: secret,
      name: 'Relay',
    });
    // A host stored before its setter was recorded stays as it was.
    const line = await h.rt.lines.get(h.memberId, 'gs-relay');
    if (!line) throw new Error('no line');
    await h.rt.lines.add({ ...line, apiUrlBy: 'page' });
    expect(await add(gupshup('gs-relay', 'RelayApp'))).toContain(`kept its API host relay.example.com, set by ${PAGE}`);
    expect(await h.rt.lines.get(h.memberId, 'gs-relay')).toMatchObject({ apiUrl: RELAY, apiUrlBy: 'page' });
    // Naming a host replaces it.
    const other = 'https://gw.example.net';
    const named = await add({ ...gupshup('gs-relay', 'RelayApp'), 'api-url': other });
    expect(named).toContain(`its API host gw.example.net is now the CLI's (was relay.example.com, set by ${PAGE})`);
    expect(await h.rt.lines.get(h.memberId, 'gs-relay')).toMatchObject({ apiUrl: other, apiUrlBy: 'cli' });
  });

  it("GupShup, another app: a new secret (the old app's is not kept); an operator's relay stays, a page-set host goes", async () => {
    await add({ ...gupshup('gs-relay', 'RelayApp'), 'api-url': RELAY });
    const old = (await h.rt.lines.get(h.memberId, 'gs-relay'))?.webhookToken;
    const out = await add(gupshup('gs-relay', 'OtherApp'));
    const moved = await h.rt.lines.get(h.memberId, 'gs-relay');
    expect(moved).toMatchObject({ phoneNumberId: 'OtherApp', apiUrl: RELAY, apiUrlBy: 'cli' });
    expect(moved?.webhookToken).toEqual(expect.any(String));
    expect(moved?.webhookToken).not.toBe(old);
    expect(out).toContain(
      `set the GupShup app's callback URL to ${callbackUrl('gs-relay', moved?.webhookToken ?? '')} (v2 format): a new secret, the one of app RelayApp is not kept`,
    );
    expect(out).toContain('kept its API host relay.example.com, set by the CLI');
    // The old app still calls the line's URL: the operator is told to stop it.
    expect(out).toContain(
      "; clear app RelayApp's callback URL in GupShup: its callbacks still come here and are refused",
    );
    // A host not known to be the operator's was meant for the old app: GupShup's default instead.
    if (!moved) throw new Error('no line');
    await h.rt.lines.add({ ...moved, apiUrlBy: 'page' });
    const again = await add(gupshup('gs-relay', 'ThirdApp'));
    expect(again).toContain(
      `; its API host is now GupShup's default ${new URL(h.rt.config.GUPSHUP_API_URL).host}: the host it had, relay.example.com, was set by ${PAGE} for app OtherApp (--api-url to name the new app's host)`,
    );
    expect((await h.rt.lines.get(h.memberId, 'gs-relay'))?.apiUrl).toBeUndefined();
  });

  it('Cloud API: the same number keeps its WABA id, name and rate; --waba-id replaces it; another number drops it', async () => {
    const cloud = { id: 'cloud2', 'phone-number-id': '555000111', 'access-token': 'cloud-token-2' };
    await add({ ...cloud, 'waba-id': '7770001', name: 'Shop', rate: '4' });
    const kept = await add({ ...cloud, 'access-token': 'cloud-token-3' });
    expect(kept).toContain('; kept its WABA id 7770001: its templates are listed from it (--waba-id to replace it)');
    expect(kept).toContain('; kept its name "Shop" and rate 4/s (--name, --rate to change)');
    expect(await h.rt.lines.get(h.memberId, 'cloud2')).toMatchObject({
      accessToken: 'cloud-token-3',
      wabaId: '7770001',
      name: 'Shop',
      ratePerSec: 4,
    });
    expect((await h.rt.lines.findByWabaId('7770001')).map((l) => l.id)).toEqual(['cloud2']);
    const replaced = await add({ ...cloud, 'waba-id': '7770002' });
    expect(replaced).toContain(
      '; its WABA id is now 7770002 (was 7770001): the templates cached from 7770001 were dropped',
    );
    expect((await h.rt.lines.get(h.memberId, 'cloud2'))?.wabaId).toBe('7770002');
    // Another number may be another account's: its templates are not listed from the old one.
    const moved = await add({ ...cloud, 'phone-number-id': '555000222' });
    expect(moved).toContain(
      "; its WABA id 7770002 was number 555000111's and is not kept for number 555000222: templates are not listed until --waba-id names the new number's account",
    );
    const line = await h.rt.lines.get(h.memberId, 'cloud2');
    expect(line).toMatchObject({ phoneNumberId: '555000222', name: 'Shop', ratePerSec: 4 });
    expect(line?.wabaId).toBeUndefined();
  });

  it('a line of another provider under that id keeps nothing of it, and the output says so', async () => {
    await add({ ...gupshup('cloud2', 'SwapApp'), 'api-url': RELAY, name: 'Swap', rate: '2' });
    const out = await add({ id: 'cloud2', 'phone-number-id': '555000333', 'access-token': 'cloud-token-4' });
    expect(out).toContain(
      "; it was a gupshup line (app SwapApp): none of its settings are kept (name, rate, secret, API host, WABA id); kept its place among the portal's lines (the oldest is the default) and its open line; its cached templates and health record were dropped",
    );
    const line = await h.rt.lines.get(h.memberId, 'cloud2');
    expect(line).toMatchObject({ provider: 'cloud', name: '555000333' });
    expect([line?.apiUrl, line?.webhookToken, line?.ratePerSec]).toEqual([undefined, undefined, undefined]);
  });

  it('--name given empty is an error, not a silent reset to the account id', async () => {
    const cloud = { id: 'cloud2', 'phone-number-id': '555000111', 'access-token': 'cloud-token-2' };
    await add({ ...cloud, name: 'Shop' });
    await expect(add({ ...cloud, name: '' })).rejects.toThrow(
      "--name must not be empty (leave it out to keep the line's name)",
    );
    expect((await h.rt.lines.get(h.memberId, 'cloud2'))?.name).toBe('Shop');
  });
});
