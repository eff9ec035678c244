import { cloudActionRunner } from '../helpers/cloud-actions';
import { type Harness, LINE } from '../helpers/harness';
import { createManualClock, type ManualClock } from '../helpers/manual-clock';
import { jobLog, settled } from '../helpers/signals';
import { createWabaHarness, customerWrites } from '../helpers/waba';
import { allSends, CUSTOMER, ordinaryTexts } from '../helpers/waits';

// Issue 13: "Wait for the customer's message" as its own robot/activity.
describe("wait for the customer's message", () => {
  let h: Harness;
  let clock: ManualClock;
  beforeEach(async () => {
    clock = createManualClock(Date.now());
    h = await createWabaHarness(clock);
  });
  afterEach(async () => {
    await h.close();
  });

  /** Starts the wait on a new deal and returns once it is open. */
  async function startWait(properties: Record<string, string | string[]> = {}, kind: 'robot' | 'activity' = 'robot') {
    const dealId = h.portal.createDeal({ stageId: 'NEW' });
    const documentId: [string, string, string] = ['crm', 'CCrmDocumentDeal', `DEAL_${dealId}`];
    const calls = await jobLog(h, h.rt.queues.runAction);
    const code = kind === 'robot' ? 'wa_wait_message' : 'wa_wait_message_bp';
    const started = await h.portal.runRobot({ code, documentId, properties: { phone: CUSTOMER, ...properties } });
    expect(started.httpStatus).toBe(200);
    expect(await calls.completed(1, 'the wait opened')).toEqual(['done']);
    return { dealId, eventToken: started.run.eventToken };
  }

  it('the next message answers it (any message), with the reply values of a button wait', async () => {
    const wait = await startWait();
    expect(await h.rt.waits.store.countOpen(h.memberId)).toBe(1);
    expect(await customerWrites(h, 'Да, ещё актуально')).toBe('taken_by_wait');
    const done = await h.portal.waitForRun(wait.eventToken, 10_000);
    expect(done.returnValues).toMatchObject({
      status: 'answered',
      answer: 'Да, ещё актуально',
      reply_text: 'Да, ещё актуально',
      answer_index: '',
    });
    expect(done.returnValues?.reply_message_id).toMatch(/^wamid\./);
    expect(done.logMessage).toContain('the customer answered');
  });

  it('a time-out over 30 days is refused naming its own field, not the reply wait of the button robots', async () => {
    const dealId = h.portal.createDeal({ stageId: 'NEW' });
    const { run } = await h.portal.runRobot({
      code: 'wa_wait_message',
      documentId: ['crm', 'CCrmDocumentDeal', `DEAL_${dealId}`],
      properties: { phone: CUSTOMER, timeout: '31', timeout_unit: 'days' },
    });
    const done = await h.portal.waitForRun(run.eventToken, 10_000);
    expect(done.returnValues).toMatchObject({ status: 'error', error_code: 'invalid_property' });
    expect(String(done.returnValues?.error)).toContain('Time-out: at most 30 days');
    expect(String(done.returnValues?.error)).not.toContain('Reply time-out');
    expect(await h.rt.waits.store.countOpen(h.memberId)).toBe(0);
  });

  it('keywords and regex: a message that does not match is left for the chat', async () => {
    const wait = await startWait({ match_mode: 'keywords', keywords: ['да=yes', 'нет=no'] }, 'activity');
    expect(await customerWrites(h, 'Перезвоните позже')).toBe('ordinary');
    expect(await customerWrites(h, 'Нет, спасибо')).toBe('taken_by_wait');
    const done = await h.portal.waitForRun(wait.eventToken, 10_000);
    expect(done.returnValues).toMatchObject({ status: 'answered', answer: 'no', answer_index: '2' });
    expect(await ordinaryTexts(h)).toEqual(['Перезвоните позже']);
    // Nothing was asked, so nothing is asked again.
    expect(h.whatsapp.sent()).toHaveLength(0);

    const byRegex = await startWait({ match_mode: 'regex', regex: 'заказ\\s*(\\d+)' });
    expect(await customerWrites(h, 'Мой заказ 4711')).toBe('taken_by_wait');
    const found = await h.portal.waitForRun(byRegex.eventToken, 10_000);
    expect(found.returnValues).toMatchObject({ status: 'answered', answer: '4711' });
  });

  it('a tap on a template sent without a wait is an ordinary reply: an "any reply" wait takes it', async () => {
    const { run } = cloudActionRunner(() => h);
    const template = await run('wa_send_template', { phone: CUSTOMER, template: 'reconnect', body_params: 'Иван' });
    expect(template.values).toMatchObject({ status: 'sent' });
    const wait = await startWait();
    const inbound = await jobLog(h, h.rt.queues.inbound);
    await h.whatsapp.deliverInbound({
      phoneNumberId: LINE.phoneNumberId,
      from: CUSTOMER,
      // No payload was set: WhatsApp sends the button's text as both (whatsapp-wire.md §1.4).
      message: { type: 'button', payload: 'Да', text: 'Да' },
      contextId: String(template.values.message_id),
    });
    expect(await inbound.completed(1, 'the tap')).toEqual(['taken_by_wait']);
    const done = await h.portal.waitForRun(wait.eventToken, 10_000);
    expect(done.returnValues).toMatchObject({ status: 'answered', answer: 'Да', reply_text: 'Да' });
  });

  it('times out on the injected clock', async () => {
    const wait = await startWait({ timeout: '2', timeout_unit: 'hours' });
    clock.advance(2 * 3_600_000);
    const done = await h.portal.waitForRun(wait.eventToken, 10_000);
    expect(done.returnValues).toMatchObject({ status: 'timeout', answer: '', reply_text: '' });
  });

  it("a robot's wait ends with its stage: the later message goes to the chat, the robot is never called back", async () => {
    const wait = await startWait();
    await h.portal.moveDeal(wait.dealId, 'PREPARATION');
    await settled(h);
    expect(await h.rt.waits.store.countOpen(h.memberId)).toBe(0);
    expect(await customerWrites(h, 'Здравствуйте')).toBe('ordinary');
    await settled(h);
    expect(allSends(h, wait.eventToken)).toHaveLength(0);
  });

  it('several waits for one customer: the newest takes the next message, the older the one after', async () => {
    const older = await startWait();
    const newer = await startWait();
    expect(await customerWrites(h, 'первое')).toBe('taken_by_wait');
    expect((await h.portal.waitForRun(newer.eventToken, 10_000)).returnValues).toMatchObject({ answer: 'первое' });
    expect(await customerWrites(h, 'второе')).toBe('taken_by_wait');
    expect((await h.portal.waitForRun(older.eventToken, 10_000)).returnValues).toMatchObject({ answer: 'второе' });
  });
});
