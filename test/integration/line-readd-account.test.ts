import { runLinesCommand } from '../../cli/lines-command';
import { runTemplatesCommand } from '../../cli/templates-command';
import { createLogger } from '../../lib/logger';
import { createSecretBox } from '../../lib/secret-box';
import { lineAccount } from '../../lines/line-account';
import { createLineAdmin } from '../../lines/line-admin';
import { LineHealthStore } from '../../store/line-health-store';
import { TemplateStore } from '../../store/template-store';
import { defined } from '../helpers/defined';
import { type Harness, LINE } from '../helpers/harness';
import { createManualClock } from '../helpers/manual-clock';
import { settled } from '../helpers/signals';
import { createWabaHarness, WABA } from '../helpers/waba';

const NUMBER = '200000000000077';
const OTHER_NUMBER = '200000000000088';
const CANNOT_LIST = 'line cloud2 cannot list templates: add its WhatsApp Business Account id (lines add … --waba-id)';

// `lines add --id` giving a line's id another account (number, WABA id, provider): what the id held of
// the old account (its cached templates, its health record) goes, so `templates list` and template
// sends never use the old account's templates; its place and open line stay, and the output says so.
describe("lines add --id to another account: the old account's templates and health go", () => {
  const clock = createManualClock(Date.now());
  let h: Harness;
  let cache: TemplateStore;
  let health: LineHealthStore;
  beforeAll(async () => {
    h = await createWabaHarness(clock);
    cache = new TemplateStore(h.rt.redis, h.rt.keys);
    health = new LineHealthStore(h.rt.redis, h.rt.keys);
  });
  afterAll(async () => {
    await h.close();
  });
  afterEach(async () => {
    await runLinesCommand(h.rt, 'remove', { portal: h.memberId }, ['cloud2']);
    await settled(h);
  });

  const add = (flags: Record<string, string>) =>
    runLinesCommand(h.rt, 'add', { portal: h.memberId, id: 'cloud2', ...flags }, []);
  const cloud = (number: string) => ({ 'phone-number-id': number, 'access-token': LINE.accessToken });
  const list = () => runTemplatesCommand(h.rt, 'list', { line: 'cloud2', portal: h.memberId });

  /** cloud2 on NUMBER with the harness's account: its templates listed (so cached) and a health record. */
  async function listedLine(): Promise<void> {
    await add({ ...cloud(NUMBER), 'waba-id': WABA, name: 'Shop' });
    expect(await list()).toContain('reconnect\tru\tUTILITY\tAPPROVED');
    const line = defined((await h.rt.lines.get(h.memberId, 'cloud2')) ?? undefined, 'line cloud2');
    await health.set(line, { qualityRating: 'GREEN', checkedAt: clock.now() });
  }

  it('another number: templates list says the line cannot list them (not the old list), health record gone', async () => {
    await listedLine();
    const out = await add(cloud(OTHER_NUMBER));
    expect(out).toContain(
      `; it is now number ${OTHER_NUMBER} (was ${NUMBER}): kept its place among the portal's lines (the oldest is the default) and its open line; its cached templates and health record were dropped`,
    );
    expect(out).toContain('; kept its name "Shop" (--name, --rate to change)');
    await expect(list()).rejects.toThrow(CANNOT_LIST);
    expect(await cache.get(h.memberId, 'cloud2')).toBeNull();
    expect(await health.get(h.memberId, 'cloud2')).toBeNull();
  });

  it("a list a read of the old account wrote after the re-add is not the line's", async () => {
    await listedLine();
    const old = await h.rt.lines.get(h.memberId, 'cloud2');
    if (!old) throw new Error('no line');
    await add(cloud(OTHER_NUMBER));
    // A read begun before the re-add (with the old credentials) ends after it.
    await cache.put(h.memberId, 'cloud2', [], clock.now(), lineAccount(old));
    await expect(list()).rejects.toThrow(CANNOT_LIST);
  });

  // Review s25-readd2 RISK 2: a list an older release cached (no account said) counted as the line's.
  it('a list cached without its account is not served on a line that cannot list, and is read again on one that can', async () => {
    await listedLine();
    await add(cloud(OTHER_NUMBER));
    await cache.put(h.memberId, 'cloud2', [], clock.now());
    await expect(list()).rejects.toThrow(CANNOT_LIST);
    await add({ ...cloud(OTHER_NUMBER), 'waba-id': WABA });
    await cache.put(h.memberId, 'cloud2', [], clock.now());
    expect(await list()).toContain('reconnect\tru\tUTILITY\tAPPROVED');
  });

  it('a new WABA id for the same number drops the list cached from the old one, not the health record; the same account keeps both', async () => {
    await listedLine();
    // Same number, same account (a rate change): the list stays cached.
    await add({ ...cloud(NUMBER), rate: '3' });
    expect(await cache.get(h.memberId, 'cloud2')).not.toBeNull();
    expect(await health.get(h.memberId, 'cloud2')).not.toBeNull();
    const out = await add({ ...cloud(NUMBER), 'waba-id': '300000000000999' });
    expect(out).toContain(
      '; its WABA id is now 300000000000999 (was 300000000000003): the templates cached from 300000000000003 were dropped',
    );
    expect(await cache.get(h.memberId, 'cloud2')).toBeNull();
    // Health is the number's (review s25-readd2 NIT 1): its record and last change stay.
    expect(await health.get(h.memberId, 'cloud2')).toMatchObject({ qualityRating: 'GREEN' });
  });

  // Review s25-readd3 BUG 1: dropped before the write, a refused re-add (a typo naming another
  // line's number) cost the unchanged line its templates and its health record's last change.
  it('a re-add refused (another line has the number) writes and drops nothing', async () => {
    await listedLine();
    await expect(add(cloud(LINE.phoneNumberId))).rejects.toMatchObject({ code: 'line_conflict' });
    expect(await h.rt.lines.get(h.memberId, 'cloud2')).toMatchObject({ phoneNumberId: NUMBER });
    expect(await cache.get(h.memberId, 'cloud2')).not.toBeNull();
    expect(await health.get(h.memberId, 'cloud2')).toMatchObject({ qualityRating: 'GREEN' });
  });

  // Review s25-readd2 RISK 3: dropped after the re-registration, they stayed when it failed, and a
  // rerun (reading the new account) no longer saw a change to drop them for.
  it('a re-add whose re-registration fails has dropped them already; its rerun leaves nothing of the old account', async () => {
    await listedLine();
    const lineAdmin = createLineAdmin({
      portals: h.rt.portals,
      lines: h.rt.lines,
      providerFor: h.rt.providerFor,
      clock: h.rt.clock,
      publicUrl: h.rt.publicUrl,
      box: createSecretBox(Buffer.alloc(32, 3)),
      detachOpenLine: async () => null,
      log: createLogger('silent'),
      onLinesChanged: async () => {
        throw new Error('queue down');
      },
      // As the runtime composes it (runtime/runtime-line-admin.ts).
      forgetAccount: async (memberId, lineId, what) => {
        await h.rt.templates.forget(memberId, lineId);
        if (what.health) await h.rt.lineHealth.forget(memberId, lineId);
      },
    });
    const deps = { portals: h.rt.portals, lines: h.rt.lines, lineAdmin, config: h.rt.config };
    const flags = { portal: h.memberId, id: 'cloud2', ...cloud(OTHER_NUMBER) };
    await expect(runLinesCommand(deps, 'add', flags, [])).rejects.toThrow('queue down');
    expect(await h.rt.lines.get(h.memberId, 'cloud2')).toMatchObject({ phoneNumberId: OTHER_NUMBER });
    expect(await cache.get(h.memberId, 'cloud2')).toBeNull();
    expect(await health.get(h.memberId, 'cloud2')).toBeNull();
    await add(cloud(OTHER_NUMBER));
    await expect(list()).rejects.toThrow(CANNOT_LIST);
    expect(await health.get(h.memberId, 'cloud2')).toBeNull();
  });

  it('another provider, and a removal, drop them too', async () => {
    await listedLine();
    const out = await add({
      provider: 'green-api',
      'id-instance': '1101000042',
      'api-token': 'ga-token',
      'webhook-token': 'wh-secret-4242424242',
    });
    expect(out).toContain(
      `; it was a cloud line (number ${NUMBER}): none of its settings are kept (name, rate, secret, API host, WABA id); kept its place`,
    );
    expect(await cache.get(h.memberId, 'cloud2')).toBeNull();
    expect(await health.get(h.memberId, 'cloud2')).toBeNull();
    // A line added later under a removed line's id finds nothing of it.
    await listedLine();
    await runLinesCommand(h.rt, 'remove', { portal: h.memberId }, ['cloud2']);
    expect(await cache.get(h.memberId, 'cloud2')).toBeNull();
    expect(await health.get(h.memberId, 'cloud2')).toBeNull();
  });
});
