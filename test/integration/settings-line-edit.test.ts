import { z } from 'zod';
import { runLinesCommand } from '../../cli/lines-command';
import { t } from '../../lib/i18n/catalogue';
import { createHarness, type Harness, LINE } from '../helpers/harness';
import { openSettings, pageApi } from '../helpers/settings-page';
import { settled } from '../helpers/signals';

const OTHER_NUMBER = '200000000000091';

/** The parts of the page's line (lineView) the dialog uses, checked as the page's boundary would. */
const lineSeenSchema = z.object({
  id: z.string(),
  name: z.string(),
  phoneNumberId: z.string(),
  ratePerSec: z.number().nullable(),
  revision: z.string(),
});
type LineSeen = z.infer<typeof lineSeenSchema>;

// Review s26 item 4: the edit dialog's save was checked against the line read when the save
// arrived, not the one the dialog showed, so a dialog opened before a re-add (or another tab's
// rename) put its name and rate over it. It now sends back the revision of the line it showed.
describe('settings page: the line edit dialog saves only over the line it showed', () => {
  let h: Harness;
  let token: string;
  beforeAll(async () => {
    h = await createHarness();
    token = (await openSettings(h, undefined, 'en')).token ?? '';
  });
  afterAll(async () => {
    await h.close();
  });

  /** The line as the page's list shows it (the dialog opens with this). */
  async function shown(id: string): Promise<LineSeen> {
    const answer = await pageApi(h, token, 'GET', '/lines');
    const { lines } = z.object({ lines: z.array(lineSeenSchema) }).parse(answer.json);
    const line = lines.find((l) => l.id === id);
    if (!line) throw new Error(`the page lists no line ${id}`);
    return line;
  }

  const save = (line: LineSeen, change: { name: string; ratePerSec: number | null }) =>
    pageApi(h, token, 'PATCH', `/lines/${line.id}`, { ...change, ifRevision: line.revision });

  it('a re-add to another number after the dialog opened: 422 line_changed with the catalogue message, nothing saved', async () => {
    const dialog = await shown('main');
    expect(dialog).toMatchObject({ phoneNumberId: LINE.phoneNumberId, revision: expect.any(String) });
    // The operator re-adds the line for another number while the dialog is open.
    await runLinesCommand(
      h.rt,
      'add',
      { portal: h.memberId, id: 'main', 'phone-number-id': OTHER_NUMBER, 'access-token': 'EAAG-other', name: 'Other' },
      [],
    );
    await settled(h);
    const refused = await save(dialog, { name: 'Stale', ratePerSec: 5 });
    expect(refused).toEqual({
      status: 422,
      json: { error: { code: 'line_changed', message: t('en', 'error.line_changed') } },
    });
    const line = await h.rt.lines.get(h.memberId, 'main');
    expect(line).toMatchObject({ phoneNumberId: OTHER_NUMBER, name: 'Other' });
    expect(line?.ratePerSec).toBeUndefined();
    // Opened again, the dialog shows the line as it is now, and saves name and rate together.
    const again = await shown('main');
    expect(again.revision).not.toBe(dialog.revision);
    expect(await save(again, { name: 'Sales', ratePerSec: 5 })).toMatchObject({
      status: 200,
      json: { line: { name: 'Sales', ratePerSec: 5, phoneNumberId: OTHER_NUMBER } },
    });
  });

  it("another tab's rename after the dialog opened is not overwritten; a save of the line as shown is", async () => {
    const dialog = await shown('main');
    const otherTab = await shown('main');
    expect(await save(otherTab, { name: 'Other tab', ratePerSec: otherTab.ratePerSec })).toMatchObject({ status: 200 });
    expect(await save(dialog, { name: 'This tab', ratePerSec: 7 })).toMatchObject({
      status: 422,
      json: { error: { code: 'line_changed' } },
    });
    expect(await h.rt.lines.get(h.memberId, 'main')).toMatchObject({ name: 'Other tab' });
  });

  // Review s26 BUG 2: a double click on Save sent the dialog's save twice with one revision; the
  // second, seeing the line the first wrote, answered 422 "nothing was saved" though it was.
  it('the same save sent twice (a double click): both answer the line saved', async () => {
    const dialog = await shown('main');
    const change = { name: 'Twice', ratePerSec: 9 };
    const [first, second] = [await save(dialog, change), await save(dialog, change)];
    const saved = { status: 200, json: { line: { name: 'Twice', ratePerSec: 9 } } };
    expect(first).toMatchObject(saved);
    expect(second).toMatchObject(saved);
    expect(second.json).toEqual(first.json);
    // A stale save asking for anything else is still refused.
    expect(await save(dialog, { name: 'Twice', ratePerSec: 8 })).toMatchObject({
      status: 422,
      json: { error: { code: 'line_changed' } },
    });
  });
});
