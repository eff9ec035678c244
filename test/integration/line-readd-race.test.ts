import { type LinesCommandDeps, runLinesCommand } from '../../cli/lines-command';
import { AppError } from '../../lib/errors/app-error';
import { createLogger } from '../../lib/logger';
import { createSecretBox } from '../../lib/secret-box';
import { createLineAdmin, type LineAdminDeps } from '../../lines/line-admin';
import type { Line } from '../../store/line-store';
import { createHarness, type Harness } from '../helpers/harness';
import { settled } from '../helpers/signals';

const ID = 'raced';
const flags = (instance: string) => ({
  provider: 'green-api',
  id: ID,
  'id-instance': instance,
  'api-token': 'ga-token-1',
  'webhook-token': 'wh-secret-1111111111',
});

// A re-add, a rename and a rate change read the line, then write it whole: each is written only while
// the line is still as read, so a change made in between (the settings page, another command, a
// removal) is never overwritten, and the command does not claim what is no longer true.
describe('line writes from a read: refused when the line changed in between', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
  });
  afterAll(async () => {
    await h.close();
  });
  afterEach(async () => {
    await h.rt.lines.remove(h.memberId, ID);
    await settled(h);
  });

  /** A line admin over the harness's stores, with the line-store calls `lines` names staged (a race). */
  function adminWith(lines: Partial<LineAdminDeps['lines']>) {
    return createLineAdmin({
      portals: h.rt.portals,
      lines: {
        add: (line: Line, options?: { ifStillAs?: Line | null }) => h.rt.lines.add(line, options),
        get: (memberId: string, lineId: string) => h.rt.lines.get(memberId, lineId),
        list: (memberId: string) => h.rt.lines.list(memberId),
        remove: (memberId: string, lineId: string) => h.rt.lines.remove(memberId, lineId),
        findByPhoneNumberId: (phoneNumberId: string) => h.rt.lines.findByPhoneNumberId(phoneNumberId),
        ...lines,
      },
      providerFor: h.rt.providerFor,
      clock: h.rt.clock,
      publicUrl: h.rt.publicUrl,
      box: createSecretBox(Buffer.alloc(32, 3)),
      detachOpenLine: async () => null,
      log: createLogger('silent'),
      onLinesChanged: async () => undefined,
      forgetAccount: async () => undefined,
    });
  }

  /** `lines add` whose read of the line is followed at once by `meanwhile` (another writer's turn). */
  function addWith(meanwhile: () => Promise<unknown>, given: Record<string, string>): Promise<string> {
    const deps: LinesCommandDeps = {
      portals: h.rt.portals,
      lines: {
        list: (memberId) => h.rt.lines.list(memberId),
        get: async (memberId, lineId) => {
          const line = await h.rt.lines.get(memberId, lineId);
          await meanwhile();
          return line;
        },
      },
      lineAdmin: h.rt.lineAdmin,
      config: h.rt.config,
    };
    return runLinesCommand(deps, 'add', { portal: h.memberId, ...given }, []);
  }
  const CHANGED = `line ${ID} changed while this command ran (the settings page or another command): nothing was written; run it again`;

  it('lines add --id: a rename on the page in between is kept, the re-add refused', async () => {
    await runLinesCommand(h.rt, 'add', { portal: h.memberId, ...flags('1101000051'), name: 'Shop' }, []);
    const rename = () => h.rt.lineAdmin.change(h.memberId, ID, { name: 'Renamed on the page' });
    await expect(addWith(rename, { ...flags('1101000051'), rate: '4' })).rejects.toThrow(CHANGED);
    expect(await h.rt.lines.get(h.memberId, ID)).toMatchObject({ name: 'Renamed on the page' });
    expect((await h.rt.lines.get(h.memberId, ID))?.ratePerSec).toBeUndefined();
  });

  it('lines add --id: a removal in between is not undone (the kept webhook token would no longer be set)', async () => {
    await runLinesCommand(h.rt, 'add', { portal: h.memberId, ...flags('1101000052') }, []);
    const { 'webhook-token': _token, ...withoutToken } = flags('1101000052');
    const remove = () => h.rt.lineAdmin.disconnect(h.memberId, ID);
    await expect(addWith(remove, withoutToken)).rejects.toThrow(CHANGED);
    expect(await h.rt.lines.get(h.memberId, ID)).toBeNull();
  });

  it('lines add --id of a line that did not exist: another add of that id in between wins', async () => {
    const other = () => runLinesCommand(h.rt, 'add', { portal: h.memberId, ...flags('1101000053') }, []);
    await expect(addWith(other, flags('1101000054'))).rejects.toThrow(CHANGED);
    expect(await h.rt.lines.get(h.memberId, ID)).toMatchObject({ phoneNumberId: '1101000053' });
  });

  // Review s25-readd2 NIT 3: the message said `line undefined changed`.
  it('lines add without --id: another line taking the id made up for it in between is named as such', async () => {
    const lineAdmin = adminWith({
      add: async (line: Line, options?: { ifStillAs?: Line | null }) => {
        // Another add of the same made-up id comes first.
        await h.rt.lines.add({ ...line, id: ID, phoneNumberId: '1101000058' }, { ifStillAs: null });
        return h.rt.lines.add({ ...line, id: ID }, options);
      },
    });
    const { id: _id, ...withoutId } = flags('1101000059');
    const deps = { portals: h.rt.portals, lines: h.rt.lines, lineAdmin, config: h.rt.config };
    await expect(runLinesCommand(deps, 'add', { portal: h.memberId, ...withoutId }, [])).rejects.toThrow(
      'another line took the id made up for this one while this command ran: nothing was written; run it again',
    );
    expect(await h.rt.lines.get(h.memberId, ID)).toMatchObject({ phoneNumberId: '1101000058' });
  });

  it("a page rename that read the line before a re-add to another instance does not write the old instance's credentials back", async () => {
    await runLinesCommand(h.rt, 'add', { portal: h.memberId, ...flags('1101000055') }, []);
    // Each read is followed by a re-add to the next instance.
    const instances = ['1101000056', '1101000057'];
    const readd = () =>
      runLinesCommand(
        h.rt,
        'add',
        { portal: h.memberId, ...flags(instances.shift() ?? ''), 'api-token': 'ga-token-2' },
        [],
      );
    // The settings page's admin, whose read of the line is followed by the operator's re-add.
    const page = adminWith({
      get: async (memberId: string, lineId: string) => {
        const line = await h.rt.lines.get(memberId, lineId);
        await readd();
        return line;
      },
    });
    const refused = await page.change(h.memberId, ID, { name: 'Stale' }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(AppError);
    expect(refused).toMatchObject({ code: 'line_changed', kind: 'unprocessable' });
    expect(await h.rt.lines.get(h.memberId, ID)).toMatchObject({
      phoneNumberId: '1101000056',
      accessToken: 'ga-token-2',
      name: '1101000056',
    });
    await expect(page.change(h.memberId, ID, { ratePerSec: 3 })).rejects.toMatchObject({ code: 'line_changed' });
    expect(await h.rt.lines.get(h.memberId, ID)).toMatchObject({ phoneNumberId: '1101000057' });
    expect((await h.rt.lines.get(h.memberId, ID))?.ratePerSec).toBeUndefined();
  });
});
