import { runLinesCommand } from '../../cli/lines-command';
import { defined } from '../helpers/defined';
import { createHarness, eventually, type Harness, LINE } from '../helpers/harness';
import { createManualClock } from '../helpers/manual-clock';
import { counterValue } from '../helpers/signals';
import { apiToken, callApi } from '../helpers/webhook-api';

const HOUR = 60 * 60_000;

// A Cloud API line's health (waba-wire.md §3): read on connect, by `lines health`, by the hourly
// sweep and on account webhooks; a drop is logged, counted, kept and shown (lines list, checkStatus).
describe('line health', () => {
  const clock = createManualClock();
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness({ clock });
  });
  afterAll(async () => {
    await h.close();
  });

  const health = async () => h.rt.lineHealth.get(await mainLine());
  /** Webhooks are handled by the worker instance: its metrics count them. */
  const workerMetrics = () => defined(h.workerRuntimes[0], 'worker runtime').metrics;
  const mainLine = async () => defined((await h.rt.lines.get(h.memberId, 'main')) ?? undefined, 'line main');

  it('is read on connect (lines add) and by lines health; lines list shows it', async () => {
    h.whatsapp.addPhoneNumber({
      phoneNumberId: '200000000000077',
      accessToken: 'EAAG-second',
      displayPhoneNumber: '79001110077',
    });
    const out = await runLinesCommand(
      h.rt,
      'add',
      { portal: h.memberId, 'phone-number-id': '200000000000077', 'access-token': 'EAAG-second', id: 'second' },
      [],
    );
    expect(out).toContain('health: GREEN TIER_2K STANDARD CONNECTED');
    h.whatsapp.setPhoneHealth('200000000000077', { messagingLimit: 'TIER_10K' });
    const read = await runLinesCommand(h.rt, 'health', { portal: h.memberId }, ['second']);
    expect(read).toContain('messaging_limit\tTIER_10K');
    expect(read).toMatch(/last_change\tlimit_change TIER_2K→TIER_10K /);
    const list = await runLinesCommand(h.rt, 'list', { portal: h.memberId }, []);
    expect(list.split('\n').find((row) => row.includes('\tsecond\t'))).toMatch(
      /GREEN TIER_10K STANDARD CONNECTED \(limit_change TIER_2K→TIER_10K/,
    );
    await h.rt.lines.remove(h.memberId, 'second');
  });

  it('the sweep reads a line again once its last read is an hour old, not before', async () => {
    await h.rt.lineHealth.read(await mainLine(), 'test');
    const first = (await health())?.checkedAt;
    expect(await h.rt.lineHealth.refreshDue([h.memberId])).toBe(0);
    clock.advance(HOUR - 1);
    expect(await h.rt.lineHealth.refreshDue([h.memberId])).toBe(0);
    clock.advance(1);
    h.whatsapp.setPhoneHealth(LINE.phoneNumberId, { status: 'FLAGGED' });
    expect(await h.rt.lineHealth.refreshDue([h.memberId])).toBe(1);
    const after = await health();
    expect(after?.checkedAt).toBe((first ?? 0) + HOUR);
    expect(after?.lastChange).toMatchObject({
      kind: 'status_change',
      from: 'CONNECTED',
      to: 'FLAGGED',
      reason: 'schedule',
    });
    h.whatsapp.setPhoneHealth(LINE.phoneNumberId, { status: 'CONNECTED' });
    await h.rt.lineHealth.read(await mainLine(), 'test');
  });

  it('a quality-drop webhook: read anew, logged and counted, shown in lines list and checkStatus', async () => {
    const drops = await counterValue(workerMetrics().lineHealthChanges, { change: 'quality_drop' });
    const limits = await counterValue(workerMetrics().lineHealthChanges, { change: 'limit_change' });
    const delivered = await h.whatsapp.deliverQualityUpdate({
      phoneNumberId: LINE.phoneNumberId,
      event: 'DOWNGRADE',
      currentLimit: 'TIER_250',
      qualityRating: 'RED',
    });
    expect(delivered.status).toBe(200);
    const changed = await eventually(async () => {
      const h_ = await health();
      return h_?.messagingLimit === 'TIER_250' ? h_ : undefined;
    });
    expect(changed).toMatchObject({ qualityRating: 'RED', messagingLimit: 'TIER_250' });
    expect(changed.lastChange).toMatchObject({
      kind: 'limit_change',
      from: 'TIER_2K',
      to: 'TIER_250',
      reason: 'webhook:DOWNGRADE',
    });
    expect(await counterValue(workerMetrics().lineHealthChanges, { change: 'quality_drop' })).toBe(drops + 1);
    expect(await counterValue(workerMetrics().lineHealthChanges, { change: 'limit_change' })).toBe(limits + 1);
    const list = await runLinesCommand(h.rt, 'list', { portal: h.memberId }, []);
    expect(list).toMatch(/RED TIER_250 STANDARD CONNECTED \(limit_change TIER_2K→TIER_250/);
    const { token } = await apiToken(h);
    const status = await callApi(h.appUrl, token, 'checkStatus');
    expect(status.body.result).toMatchObject({
      quality_rating: 'RED',
      messaging_limit: 'TIER_250',
      throughput: 'STANDARD',
      health_change: { kind: 'limit_change', from: 'TIER_2K', to: 'TIER_250' },
    });
  });

  it('an account_update is logged, counted and kept as the line’s last change', async () => {
    const events = await counterValue(workerMetrics().lineHealthChanges, { change: 'account_event' });
    const delivered = await h.whatsapp.deliverAccountUpdate({
      phoneNumberId: LINE.phoneNumberId,
      event: 'ACCOUNT_RESTRICTION',
    });
    expect(delivered.status).toBe(200);
    const changed = await eventually(async () => {
      const h_ = await health();
      return h_?.lastChange?.kind === 'account_event' ? h_ : undefined;
    });
    expect(changed.lastChange).toMatchObject({ to: 'ACCOUNT_RESTRICTION', reason: 'webhook:ACCOUNT_RESTRICTION' });
    expect(await counterValue(workerMetrics().lineHealthChanges, { change: 'account_event' })).toBe(events + 1);
  });
});
