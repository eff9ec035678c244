import { digest } from '../../lib/hash';
import type { CallInfo } from '../../queues/call-info';
import { createHarness, createRegisteredHarness, type Harness } from '../helpers/harness';
import { robotCallContext } from '../helpers/robot-call-context';

/**
 * The crash window of a send: the step is marked in flight before the provider call, so an attempt
 * cut off between the call and recording its answer leaves "maybe sent"; the retry then does what
 * `if_maybe_sent` says. A crash is planted as the mark a dead attempt leaves behind.
 */
describe('a send that may have left before a failure', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await createHarness({ startWorkers: false });
  });
  afterEach(async () => {
    await h.close();
  });

  const TO = '79161234567';
  const text = { type: 'text' as const, body: 'Your order is ready' };

  const context = (callKey: string, ifMaybeSent: CallInfo['ifMaybeSent'], notes: string[] = []) =>
    robotCallContext(h, { code: 'wa_send_text', callKey, ifMaybeSent }, notes);
  /** What an attempt that died inside the provider call leaves behind. */
  const crashedAttempt = (callKey: string) => h.rt.messages.claimSendStep(h.memberId, callKey, 0, h.rt.clock.now());

  it('a first send marks nothing left behind: the step holds the message id, and a retry never resends', async () => {
    const notes: string[] = [];
    const sent = await (await context('k-first', 'resend', notes)).send(text, { to: TO });
    expect(await h.rt.messages.sentStep(h.memberId, 'k-first', 0)).toBe(sent.providerMessageId);
    const again = await (await context('k-first', 'resend', notes)).send(text, { to: TO });
    expect(again.providerMessageId).toBe(sent.providerMessageId);
    expect(h.whatsapp.sent()).toHaveLength(1);
    expect(notes).toEqual([]);
  });

  it('resend (default): the retry sends again and the robot log says it may have gone twice', async () => {
    await crashedAttempt('k-resend');
    expect(await h.rt.messages.sendStep(h.memberId, 'k-resend', 0)).toEqual({
      state: 'maybe',
      markedAt: expect.any(Number),
    });
    const notes: string[] = [];
    const sent = await (await context('k-resend', undefined, notes)).send(text, { to: TO });
    expect(h.whatsapp.sent().map((m) => m.wamid)).toEqual([sent.providerMessageId]);
    expect(notes).toEqual([expect.stringMatching(/may have left before a failure and was sent again/)]);
    expect(await h.rt.messages.sentStep(h.memberId, 'k-resend', 0)).toBe(sent.providerMessageId);
  });

  it('skip: the retry does not send; message id empty and the log says delivery is unknown', async () => {
    await crashedAttempt('k-skip');
    const notes: string[] = [];
    const sent = await (await context('k-skip', 'skip', notes)).send(text, { to: TO });
    expect(sent.providerMessageId).toBe('');
    // send() has returned: had it called the provider, the simulator would have the attempt by now.
    expect(h.whatsapp.attempts()).toHaveLength(0);
    expect(notes).toEqual([expect.stringMatching(/not sent again, delivery unknown/)]);
  });

  it('a 5xx leaves "maybe sent" (Graph may have taken it); a 4xx refusal leaves nothing', async () => {
    h.whatsapp.failNext({ code: 131000, times: 1 });
    await expect((await context('k-500', 'skip')).send(text, { to: TO })).rejects.toMatchObject({
      code: 'provider_unavailable',
      outcomeUnknown: true,
    });
    expect(await h.rt.messages.sendStep(h.memberId, 'k-500', 0)).toMatchObject({ state: 'maybe' });

    h.whatsapp.failNext({ code: 130429, times: 1 });
    await expect((await context('k-429', 'skip')).send(text, { to: TO })).rejects.toMatchObject({
      code: 'rate_limited',
      outcomeUnknown: false,
    });
    expect(await h.rt.messages.sendStep(h.memberId, 'k-429', 0)).toEqual({ state: 'new' });
    const notes: string[] = [];
    const sent = await (await context('k-429', 'skip', notes)).send(text, { to: TO });
    expect(sent.providerMessageId).toMatch(/^wamid\./);
    expect(notes).toEqual([]);
  });

  it.each([
    ['resend', 1, /sent again: the customer may get it twice/],
    ['skip', 0, /not sent again, delivery unknown/],
  ] as const)('a robot retried after a crash mid-send, if_maybe_sent=%s', async (option, sends, log) => {
    await h.close();
    h = await createRegisteredHarness();
    // No worker runs while the robot is called: the job waits in the queue.
    await h.stopWorkers();
    const run = await h.portal.runRobot({
      code: 'wa_send_text',
      documentId: ['crm', 'CCrmDocumentDeal', 'DEAL_1'],
      properties: { text: 'Hello', phone: `+${TO}`, if_maybe_sent: option },
    });
    expect(run.httpStatus).toBe(200);
    // Plant what a worker killed inside the provider call leaves, then let a worker take the job.
    await crashedAttempt(digest(run.run.eventToken));
    await h.startWorkerInstance();
    const done = await h.portal.waitForRun(run.run.eventToken, 15_000);
    expect(done.returnValues).toMatchObject({ status: 'sent' });
    expect(done.logMessage).toMatch(log);
    expect(h.whatsapp.sent()).toHaveLength(sends);
    expect(done.returnValues?.message_id).toBe(h.whatsapp.sent()[0]?.wamid ?? '');
  });
});
