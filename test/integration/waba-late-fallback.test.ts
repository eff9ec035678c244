import { inboundStatusSchema } from '../../providers/inbound-message';
import { createWindowRefusalHandler } from '../../workers/window-refusal';
import { cloudActionRunner } from '../helpers/cloud-actions';
import { defined } from '../helpers/defined';
import { eventually, type Harness } from '../helpers/harness';
import { createManualClock, type ManualClock } from '../helpers/manual-clock';
import { jobLog } from '../helpers/signals';
import { createWabaHarness, RECONNECT_FALLBACK, runContinueButtons, tapQuickReply, WABA } from '../helpers/waba';
import { CUSTOMER, customerStatus } from '../helpers/waits';

type Body = { type?: string; template?: { name: string; components?: Array<Record<string, unknown>> } };

// Review of issue 13 (findings 1 and 3): the late fallback template goes at most once, and a
// template that cannot go ends the wait instead of leaving it to its time-out.
describe('the late fallback template (131047 after acceptance)', () => {
  let h: Harness;
  let clock: ManualClock;
  const { deal } = cloudActionRunner(() => h);
  beforeEach(async () => {
    clock = createManualClock(Date.now());
    h = await createWabaHarness(clock);
    // Refusals wait for the test's word: they come once the send is recorded.
    h.whatsapp.windowRefusals('held');
  });
  afterEach(async () => {
    await h.close();
  });

  const buttonsWithFallback = () => runContinueButtons(h, deal(), RECONNECT_FALLBACK);

  it('a retried status job sends the late template once; the wait stays on it', async () => {
    const calls = await jobLog(h, h.rt.queues.runAction);
    const before = h.whatsapp.sent().length;
    const started = await buttonsWithFallback();
    await calls.completed(1, 'the buttons sent');
    const refused = h.whatsapp.sent()[before];
    await h.whatsapp.releaseRefusals();
    const template = await eventually(() => h.whatsapp.sent()[before + 1], 10_000, 'the template');
    expect((template.body as Body).template?.name).toBe('reconnect');
    // The same refusal handled again: what a retry of the status job (the worker died after the send) does.
    const line = defined((await h.rt.lines.get(h.memberId, 'main')) ?? undefined, 'the line');
    const status = { id: defined(refused, 'the buttons').wamid, status: 'failed', errors: [{ code: 131047 }] };
    const retried = createWindowRefusalHandler(h.rt);
    expect(await retried(line, inboundStatusSchema.parse(status), { lastAttempt: false })).toBe(true);
    expect(h.whatsapp.sent().length).toBe(before + 2);
    await tapQuickReply(h, template, 0, 'Да');
    const done = await h.portal.waitForRun(started.run.eventToken, 10_000);
    expect(done.returnValues).toMatchObject({ status: 'answered', answer: 'Да', message_id: template.wamid });
  });

  it('a fallback template paused since the check: the wait ends with window_closed at once', async () => {
    const calls = await jobLog(h, h.rt.queues.runAction);
    const before = h.whatsapp.sent().length;
    const started = await buttonsWithFallback();
    await calls.completed(1, 'the buttons sent');
    await h.whatsapp.setTemplateStatus(WABA, 'reconnect', 'ru', 'PAUSED', { webhook: false });
    const statuses = await jobLog(h, h.rt.queues.inbound);
    await h.whatsapp.releaseRefusals();
    expect(await statuses.completed(1, 'the refusal handled')).toEqual(['status_failed']);
    const done = await h.portal.waitForRun(started.run.eventToken, 10_000);
    expect(done.returnValues).toMatchObject({ status: 'error', error_code: 'window_closed' });
    // The simulator refused the template (132015): only the buttons left.
    expect(h.whatsapp.sent().length).toBe(before + 1);
    expect(h.whatsapp.attempts().at(-1)).toMatchObject({ errorCode: 132015 });
  });

  it('the saved template goes once the message is delivered (it can no longer be refused)', async () => {
    // The window is open at WhatsApp, unknown to the app: the text goes, its fallback kept meanwhile.
    h.whatsapp.enforceWindow(false);
    const { run } = cloudActionRunner(() => h);
    const sent = await run('wa_send_text', {
      phone: CUSTOMER,
      text: 'Здравствуйте',
      ...RECONNECT_FALLBACK,
    });
    expect(sent.values).toMatchObject({ status: 'sent', sent_as: 'message' });
    const wamid = String(sent.values.message_id);
    const ref = defined((await h.redis.hget(h.rt.keys.message(h.memberId, wamid), 'fb')) ?? undefined, 'fb');
    const kept = h.rt.keys.windowFallback(h.memberId, ref);
    expect(await h.redis.exists(kept)).toBe(1);
    const statuses = await jobLog(h, h.rt.queues.inbound);
    await customerStatus(h, wamid, 'delivered');
    expect(await statuses.completed(1, 'the delivered status')).toEqual(['status_delivered']);
    expect(await h.redis.exists(kept)).toBe(0);
  });
});
