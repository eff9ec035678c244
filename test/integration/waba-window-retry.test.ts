import { sendFreeForm } from '../../actions/window-fallback';
import type { WindowInputs } from '../../actions/window-properties';
import { LATE_FALLBACK_STEP } from '../../workers/window-refusal';
import { createHarness, type Harness } from '../helpers/harness';
import { createManualClock, type ManualClock } from '../helpers/manual-clock';
import { robotCallContext } from '../helpers/robot-call-context';
import { connectWabaLine, DAY } from '../helpers/waba';
import { CUSTOMER } from '../helpers/waits';

const text = { type: 'text' as const, body: 'Ваш заказ готов' };
const input: WindowInputs = {
  if_window_closed: 'template',
  fallback_template: 'reconnect',
  fallback_language: 'ru',
  fallback_body_params: ['Иван'],
  fallback_header_params: [],
};

// Issue 13 (review finding 8): a send's attempts agree on what went out. The first attempt's choice
// (the fallback template, or the message) holds for its retries even when the customer's window
// changed in between, so `sent_as` is what was really sent and nothing goes twice.
describe('sent_as across retries when the window changes', () => {
  let h: Harness;
  let clock: ManualClock;
  beforeEach(async () => {
    clock = createManualClock(Date.now());
    h = await createHarness({ clock, whatsappNow: () => clock.now(), startWorkers: false, connectLine: false });
    await connectWabaLine(h, clock);
  });
  afterEach(async () => {
    await h.close();
  });

  /** One attempt of the robot call `callKey` (a retried job builds a new context for the same call). */
  const attempt = async (callKey: string) => {
    const ctx = await robotCallContext(h, { code: 'wa_send_text', callKey });
    await ctx.recipient(CUSTOMER);
    return sendFreeForm(ctx, input, text);
  };
  const customerWrites = () => h.rt.windows.note(h.memberId, 'main', CUSTOMER, clock.now(), clock.now());
  const sentTypes = () => h.whatsapp.sent().map((s) => String(s.body.type));

  it('closed → the template fails retryably → the customer writes → the retry sends the template and says so', async () => {
    await customerWrites();
    clock.advance(2 * DAY);
    h.whatsapp.failNext({ code: 130429 });
    await expect(attempt('k-closed')).rejects.toMatchObject({ retryable: true });
    expect(sentTypes()).toEqual([]);
    // The window opens before the retry: the message would now go, but the call chose the template.
    await customerWrites();
    const retried = await attempt('k-closed');
    expect(retried.sentAs).toBe('template');
    expect(retried.note).toContain('sent template reconnect instead');
    expect(sentTypes()).toEqual(['template']);
    expect(retried.sent.providerMessageId).toBe(h.whatsapp.sent()[0]?.wamid);
    // Once more (the job failed after the send): the same message, nothing new.
    const again = await attempt('k-closed');
    expect(again).toMatchObject({ sentAs: 'template', sent: { providerMessageId: retried.sent.providerMessageId } });
    expect(sentTypes()).toEqual(['template']);
  });

  it('open → the message went → the window closes → the retry reports the message, no template', async () => {
    await customerWrites();
    const first = await attempt('k-open');
    expect(first.sentAs).toBe('message');
    clock.advance(2 * DAY);
    const retried = await attempt('k-open');
    expect(retried).toMatchObject({
      sentAs: 'message',
      note: '',
      sent: { providerMessageId: first.sent.providerMessageId },
    });
    expect(sentTypes()).toEqual(['text']);
  });

  it('open → the message never left (refused retryably) → the window closes → the retry decides afresh', async () => {
    await customerWrites();
    h.whatsapp.failNext({ code: 130429 });
    await expect(attempt('k-fresh')).rejects.toMatchObject({ retryable: true });
    clock.advance(2 * DAY);
    const retried = await attempt('k-fresh');
    expect(retried.sentAs).toBe('template');
    expect(sentTypes()).toEqual(['template']);
  });

  /** What an attempt cut off after a refusal leaves: step 0 holds the message WhatsApp refused (131047). */
  const refusedEarlier = async (callKey: string) => {
    await h.rt.messages.applyStatus(h.memberId, 'wamid.refused', 'failed', clock.now(), '131047');
    await h.rt.messages.recordSend({
      memberId: h.memberId,
      callKey,
      step: 0,
      providerMessageId: 'wamid.refused',
      phone: CUSTOMER,
      sentAt: clock.now(),
    });
  };

  it.each([
    ['closed', 2 * DAY],
    ['not known', 0],
  ])(
    'a message refused for the window (131047) is not "already sent": the retry (window %s) sends the template',
    async (_window, after) => {
      if (after) {
        await customerWrites();
        clock.advance(after);
      }
      await refusedEarlier('k-refused');
      const retried = await attempt('k-refused');
      expect(retried.sentAs).toBe('template');
      expect(sentTypes()).toEqual(['template']);
      expect(retried.sent.providerMessageId).toBe(h.whatsapp.sent()[0]?.wamid);
    },
  );

  it('the late fallback template went after the refusal: the retry reports it and sends nothing', async () => {
    await refusedEarlier('k-late');
    await h.rt.messages.recordSend({
      memberId: h.memberId,
      callKey: 'k-late',
      step: LATE_FALLBACK_STEP,
      providerMessageId: 'wamid.late-template',
      phone: CUSTOMER,
      sentAt: clock.now(),
    });
    const retried = await attempt('k-late');
    expect(retried).toMatchObject({ sentAs: 'template', sent: { providerMessageId: 'wamid.late-template' } });
    expect(sentTypes()).toEqual([]);
  });

  it('a remembered decision this release cannot read stops the call (not retried), and nothing is sent', async () => {
    await h.rt.messages.rememberStep(h.memberId, 'k-odd', 'd:window', JSON.stringify({ as: 'carrier-pigeon' }));
    await expect(attempt('k-odd')).rejects.toMatchObject({ code: 'internal_error', retryable: false });
    expect(sentTypes()).toEqual([]);
  });
});
