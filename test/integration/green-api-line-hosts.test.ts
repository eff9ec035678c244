import { type LinesCommandDeps, runLinesCommand } from '../../cli/lines-command';
import type { AppConfig } from '../../config/env-schema';
import { resolveLine } from '../../lines/resolve-line';
import type { Line } from '../../store/line-store';
import { createHarness, type Harness, LINE } from '../helpers/harness';
import { createManualClock } from '../helpers/manual-clock';
import { settled } from '../helpers/signals';

const HOST = 'https://7103.api.green-api.com';
const PAGE = 'the settings page (or stored before its setter was recorded)';

// `lines add --id` of an existing line: which API host a Green-API line keeps, who set it, what the
// command says about it, and that a re-add keeps the line's place (the oldest line is the default).
describe('lines add --id: a re-added line keeps what it should', () => {
  // Lines are ordered by createdAt (ties by id): the clock makes each line strictly newer than the last.
  const clock = createManualClock();
  let h: Harness;
  /** The harness's Cloud line (the portal's oldest, so its default) as it was: put back after each test. */
  let main: Line;
  beforeAll(async () => {
    h = await createHarness({ clock });
    const line = await h.rt.lines.get(h.memberId, 'main');
    if (!line) throw new Error('no main line');
    main = line;
  });
  afterAll(async () => {
    await h.close();
  });

  /** `lines add` with the guard on (the harness runs with ALLOW_PRIVATE_ADDRESSES for its simulators). */
  function add(flags: Record<string, string>, config: Partial<AppConfig> = {}): Promise<string> {
    const deps: LinesCommandDeps = {
      portals: h.rt.portals,
      lines: h.rt.lines,
      lineAdmin: h.rt.lineAdmin,
      config: { ...h.rt.config, ALLOW_PRIVATE_ADDRESSES: false, ...config },
    };
    return runLinesCommand(deps, 'add', { portal: h.memberId, ...flags }, []);
  }

  /** A Green-API line as the settings page stores it: the host a portal admin typed, guarded when connecting. */
  async function pageSetLine(id: string, idInstance: string): Promise<void> {
    clock.advance(1000);
    await h.rt.lines.add({
      id,
      memberId: h.memberId,
      provider: 'green-api',
      phoneNumberId: idInstance,
      accessToken: 'ga-secret-5',
      apiUrl: HOST,
      apiUrlBy: 'page',
      webhookToken: 'wh-secret-5555555555',
      name: 'Tenant',
      // Newer than the harness's line: the portal's default stays its oldest line.
      createdAt: h.rt.clock.now(),
    });
  }

  const readd = (id: string, idInstance: string) => ({
    provider: 'green-api',
    'id-instance': idInstance,
    'api-token': 'ga-secret-5',
    'webhook-token': 'wh-secret-5555555555',
    id,
  });

  afterEach(async () => {
    for (const id of ['tenant', 'moved']) await h.rt.lines.remove(h.memberId, id);
    await h.rt.lines.add(main);
    // Each add queued the robots' re-registration (lines/line-admin.ts): done before the next test or teardown.
    await settled(h);
  });

  it('keeps a page-set host and its setter while the instance is the same, unless --api-url names the host', async () => {
    await pageSetLine('tenant', '1101000005');
    // The operator re-adds it to set its rate: the host stays the admin's, and still guarded.
    const kept = await add({ ...readd('tenant', '1101000005'), name: 'Tenant', rate: '5' });
    expect(kept).toContain(
      `kept its API host 7103.api.green-api.com, set by ${PAGE}: checked against private addresses when connecting (--api-url to replace it; --api-url https://api.green-api.com for Green-API's default)`,
    );
    expect(await h.rt.lines.get(h.memberId, 'tenant')).toMatchObject({ apiUrl: HOST, apiUrlBy: 'page', ratePerSec: 5 });
    expect(await runLinesCommand(h.rt, 'list', { portal: h.memberId }, [])).toContain(
      '\ttenant\tgreen-api\t1101000005\tTenant\t5/s\t7103.api.green-api.com\tpage\t',
    );
    // Naming the host takes it over, and says so. GREEN_API_HOSTS names it: a portal admin may type
    // it, so it stays guarded (lines/provider-for-line.ts).
    const taken = await add({ ...readd('tenant', '1101000005'), 'api-url': HOST });
    expect(taken).toContain(
      `its API host 7103.api.green-api.com is now the CLI's (was 7103.api.green-api.com, set by ${PAGE}): checked against private addresses when connecting (GREEN_API_HOSTS names it)`,
    );
    expect(await h.rt.lines.get(h.memberId, 'tenant')).toMatchObject({ apiUrl: HOST, apiUrlBy: 'cli' });
    // A CLI-set host is kept as the CLI's by a re-add without --api-url.
    const again = await add(readd('tenant', '1101000005'));
    expect(again).toContain(
      'kept its API host 7103.api.green-api.com, set by the CLI: checked against private addresses when connecting (GREEN_API_HOSTS names it)',
    );
    expect(await h.rt.lines.get(h.memberId, 'tenant')).toMatchObject({ apiUrl: HOST, apiUrlBy: 'cli' });
  });

  it('says when a host is not checked: a CLI-set host outside GREEN_API_HOSTS, or ALLOW_PRIVATE_ADDRESSES', async () => {
    await pageSetLine('tenant', '1101000005');
    const relay = 'https://relay.example.com';
    const taken = await add({ ...readd('tenant', '1101000005'), 'api-url': relay });
    expect(taken).toContain(
      `its API host relay.example.com is now the CLI's (was 7103.api.green-api.com, set by ${PAGE}): trusted: not checked against private addresses when connecting (GREEN_API_HOSTS does not name it)`,
    );
    expect(await h.rt.lines.get(h.memberId, 'tenant')).toMatchObject({ apiUrl: relay, apiUrlBy: 'cli' });
    // The same host under a list that names it.
    const named = await add(readd('tenant', '1101000005'), { GREEN_API_HOSTS: ['*.example.com'] });
    expect(named).toContain(
      'kept its API host relay.example.com, set by the CLI: checked against private addresses when connecting (GREEN_API_HOSTS names it)',
    );
    // With ALLOW_PRIVATE_ADDRESSES nothing is checked, a page-set host included.
    await pageSetLine('tenant', '1101000005');
    const open = await add(readd('tenant', '1101000005'), { ALLOW_PRIVATE_ADDRESSES: true });
    expect(open).toContain(
      `kept its API host 7103.api.green-api.com, set by ${PAGE}: not checked against private addresses (ALLOW_PRIVATE_ADDRESSES is on)`,
    );
  });

  it("a new --id-instance without --api-url drops a page-set host for Green-API's default, and says so", async () => {
    await pageSetLine('moved', '1101000006');
    // The admin typed that host for the old instance (7103…): the new instance's apiToken never goes there.
    const out = await add(readd('moved', '7105000001'));
    expect(out).toContain(
      `its API host is now Green-API's default api.green-api.com: the host it had, 7103.api.green-api.com, was set by ${PAGE} for instance 1101000006`,
    );
    expect(out).toContain(
      "; clear instance 1101000006's webhookUrl in Green-API: its webhooks still come here and are refused",
    );
    const line = await h.rt.lines.get(h.memberId, 'moved');
    expect(line).toMatchObject({ phoneNumberId: '7105000001', apiUrlBy: 'cli' });
    expect(line?.apiUrl).toBeUndefined();
    expect(await runLinesCommand(h.rt, 'list', { portal: h.memberId }, [])).toMatch(
      /\tmoved\tgreen-api\t7105000001\t.*\t-\t-\t/,
    );
    // A new instance with its host named takes that host.
    await add({ ...readd('moved', '7106000001'), 'api-url': 'https://7106.api.green-api.com' });
    expect(await h.rt.lines.get(h.memberId, 'moved')).toMatchObject({
      phoneNumberId: '7106000001',
      apiUrl: 'https://7106.api.green-api.com',
      apiUrlBy: 'cli',
    });
    // That host serves its own instances: another instance without --api-url gets the default.
    const again = await add(readd('moved', '7108000001'));
    expect(again).toContain('the host it had, 7106.api.green-api.com, was a Green-API host for instance 7106000001');
    expect((await h.rt.lines.get(h.memberId, 'moved'))?.apiUrl).toBeUndefined();
  });

  it("an instance host on greenapi.com (with a port, or a trailing dot) is the old instance's too, not a relay", async () => {
    for (const url of [
      'https://7103.api.greenapi.com',
      'https://7103.api.green-api.com:8443',
      'https://7103.API.GreenAPI.com.',
    ]) {
      await add({ ...readd('moved', '7103000001'), 'api-url': url });
      const out = await add(readd('moved', '7105000001'));
      expect(out).toContain(`was a Green-API host for instance 7103000001`);
      expect(out).not.toContain('kept its API host');
      expect((await h.rt.lines.get(h.memberId, 'moved'))?.apiUrl).toBeUndefined();
    }
  });

  it('a new --id-instance keeps a host the operator set (a relay serving every instance)', async () => {
    const relay = 'https://relay.example.com';
    await add({ ...readd('moved', '1101000007'), 'api-url': relay });
    const out = await add(readd('moved', '7107000001'));
    expect(out).toContain('kept its API host relay.example.com, set by the CLI');
    expect(await h.rt.lines.get(h.memberId, 'moved')).toMatchObject({
      phoneNumberId: '7107000001',
      apiUrl: relay,
      apiUrlBy: 'cli',
    });
  });

  it('a re-add with the same --id-instance keeps the webhook token when --webhook-token is left out; a new instance needs one', async () => {
    await pageSetLine('tenant', '1101000005');
    const { 'webhook-token': _token, ...flags } = readd('tenant', '1101000005');
    const out = await add({ ...flags, rate: '6' });
    expect(out).toContain(
      `the instance's webhookUrl stays ${h.rt.config.PUBLIC_URL}/green-api/webhook/tenant and its webhookUrlToken was kept (--webhook-token to replace it)`,
    );
    expect(await h.rt.lines.get(h.memberId, 'tenant')).toMatchObject({
      webhookToken: 'wh-secret-5555555555',
      name: 'Tenant',
      ratePerSec: 6,
    });
    const replaced = await add({ ...flags, 'webhook-token': 'wh-secret-6666666666' });
    expect(replaced).toContain(
      'webhookUrlToken to the --webhook-token (a new token: webhooks with the old one are refused)',
    );
    expect((await h.rt.lines.get(h.memberId, 'tenant'))?.webhookToken).toBe('wh-secret-6666666666');
    // The token is the old instance's: another instance must be given its own.
    await expect(add({ ...flags, 'id-instance': '1101000009' })).rejects.toThrow(
      "--webhook-token of at least 16 characters is required for a new instance (the stored one is instance 1101000005's)",
    );
    await expect(add({ ...flags, id: 'brand-new' })).rejects.toThrow(
      '--webhook-token of at least 16 characters is required for a new line',
    );
  });

  it("re-adding the portal's oldest line (its default) to change its rate keeps it the default", async () => {
    await pageSetLine('tenant', '1101000005');
    expect((await resolveLine(h.rt.lines, h.memberId, undefined)).id).toBe('main');
    // Later than the line just added: a re-add that took the clock's time would make main the newest.
    clock.advance(1000);
    const cloud = { 'phone-number-id': LINE.phoneNumberId, 'access-token': LINE.accessToken };
    const out = await add({ ...cloud, rate: '7', id: 'main' });
    // A Cloud line has no host of its own: nothing is said about one.
    expect(out).not.toContain('API host');
    // Its name is kept too: not given.
    expect(await h.rt.lines.get(h.memberId, 'main')).toMatchObject({
      ratePerSec: 7,
      name: main.name,
      createdAt: main.createdAt,
    });
    expect((await resolveLine(h.rt.lines, h.memberId, undefined)).id).toBe('main');
  });
});
