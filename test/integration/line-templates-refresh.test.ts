import { ActionError } from '../../lib/errors/app-error';
import { createLogger } from '../../lib/logger';
import { createLineTemplates } from '../../lines/line-templates';
import type { MessageTemplate } from '../../providers/message-template';
import type { Line } from '../../store/line-store';
import { TemplateStore } from '../../store/template-store';
import { defined } from '../helpers/defined';
import { eventually, type Harness } from '../helpers/harness';
import { createManualClock, type ManualClock } from '../helpers/manual-clock';
import { createWabaHarness, RECONNECT_AS_READ } from '../helpers/waba';

const HOUR = 3_600_000;

/** The account's list as a test controls it: each read is counted and answers when and how the test says. */
function account() {
  const reads: Array<{ resolve: (t: MessageTemplate[]) => void; reject: (e: Error) => void }> = [];
  return {
    reads,
    listTemplates: () =>
      new Promise<MessageTemplate[]>((resolve, reject) => {
        reads.push({ resolve, reject });
      }),
  };
}

// Review of issue 13 (finding 7): a stale or failing template list is read once at a time, and not
// again within a minute of a failure; a failed re-read for a missing name still says "not found".
describe('reading a line’s templates again', () => {
  let h: Harness;
  let clock: ManualClock;
  let line: Line;
  beforeEach(async () => {
    clock = createManualClock(Date.now());
    h = await createWabaHarness(clock);
    line = defined((await h.rt.lines.get(h.memberId, 'main')) ?? undefined, 'the line');
  });
  afterEach(async () => {
    await h.close();
  });

  function templatesOf(provider: ReturnType<typeof account>) {
    const store = new TemplateStore(h.rt.redis, h.rt.keys);
    const log = createLogger('silent');
    return {
      store,
      templates: createLineTemplates({ store, lines: h.rt.lines, providerFor: () => provider, clock, log }),
    };
  }
  const graphDown = () => new ActionError('provider_unavailable', 'Graph 500', { retryable: true });

  it('concurrent sends share one read of a stale list', async () => {
    const provider = account();
    const { store, templates } = templatesOf(provider);
    await store.put(h.memberId, line.id, [RECONNECT_AS_READ], clock.now());
    clock.advance(HOUR + 1);
    const finds = [1, 2, 3].map(() => templates.find(line, 'reconnect', 'ru'));
    (await eventually(() => provider.reads[0], 5_000, 'read 1 of the account')).resolve([RECONNECT_AS_READ]);
    expect((await Promise.all(finds)).map((t) => (t === 'unknown' ? t : t?.name))).toEqual([
      'reconnect',
      'reconnect',
      'reconnect',
    ]);
    expect(provider.reads).toHaveLength(1);
  });

  it('a failed read: the cached list serves, and the account is asked again only a minute later', async () => {
    const provider = account();
    const { store, templates } = templatesOf(provider);
    await store.put(h.memberId, line.id, [RECONNECT_AS_READ], clock.now());
    clock.advance(HOUR + 1);
    const found = templates.find(line, 'reconnect', 'ru');
    (await eventually(() => provider.reads[0], 5_000, 'read 1 of the account')).reject(graphDown());
    expect(await found).toMatchObject({ name: 'reconnect' });
    // Within the minute: the cached list, no read (each would wait for Graph).
    expect(await templates.find(line, 'reconnect', 'ru')).toMatchObject({ name: 'reconnect' });
    expect(provider.reads).toHaveLength(1);
    clock.advance(60_000);
    const later = templates.find(line, 'reconnect', 'ru');
    (await eventually(() => provider.reads[1], 5_000, 'read 2 of the account')).resolve([RECONNECT_AS_READ]);
    expect(await later).toMatchObject({ name: 'reconnect' });
  });

  it('a name missing from a list a minute old: a failed re-read answers "none such", not the Graph error', async () => {
    const provider = account();
    const { store, templates } = templatesOf(provider);
    await store.put(h.memberId, line.id, [RECONNECT_AS_READ], clock.now());
    clock.advance(2 * 60_000);
    const missing = templates.find(line, 'no_such', 'ru');
    (await eventually(() => provider.reads[0], 5_000, 'read 1 of the account')).reject(graphDown());
    expect(await missing).toBeNull();
  });

  // Review s25-readd2 RISK 1: reads in flight were shared by line id alone.
  it('a send on a line re-added to another account does not join a read of the old account still running', async () => {
    const oldAccount = account();
    const newAccount = account();
    const moved: Line = { ...line, phoneNumberId: '200000000000099', wabaId: '300000000000099' };
    const templates = createLineTemplates({
      store: new TemplateStore(h.rt.redis, h.rt.keys),
      lines: h.rt.lines,
      providerFor: (l) => (l.phoneNumberId === line.phoneNumberId ? oldAccount : newAccount),
      clock,
      log: createLogger('silent'),
    });
    const oldRead = templates.list(line);
    const oldAsked = await eventually(() => oldAccount.reads[0], 5_000, 'the read of the old account');
    const sent = templates.find(moved, 'reconnect', 'ru');
    const newAsked = await eventually(() => newAccount.reads[0], 5_000, 'a read of the new account');
    oldAsked.resolve([RECONNECT_AS_READ]);
    await oldRead;
    newAsked.resolve([]);
    expect(await sent).toBeNull();
    expect(oldAccount.reads).toHaveLength(1);
  });
});
