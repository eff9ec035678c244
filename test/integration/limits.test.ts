import { createHarness, eventually, waitForRegistration, type Harness } from '../helpers/harness';
import { actions } from '../../actions';
import { registerPortal } from '../../workers/portal-setup-processor';
import { counterValue, jobLog, settled } from '../helpers/signals';

/** Largest number of timestamps inside any window of `windowMs`. */
function maxInWindow(times: number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let best = 0;
  let start = 0;
  for (let end = 0; end < sorted.length; end += 1) {
    while (sorted[end] - sorted[start] >= windowMs) start += 1;
    best = Math.max(best, end - start + 1);
  }
  return best;
}

describe('rate limits shared across worker processes', () => {
  let h: Harness;
  afterEach(async () => { await h.close(); });

  it('holds the line limit with 3 worker instances and 240 queued sends', async () => {
    // A 200 ms line window with 16 sends per window: the same 80/s as Meta's per-second limit, so the
    // property (never more than the limit in any window, across processes) is proved in ~3 s, not 13.
    const windowMs = 200;
    const limit = 16;
    const total = 240;
    // The simulator counts per second, as Meta does: it gets the same rate per second.
    h = await createHarness({ startWorkers: false, lineRatePerSec: limit, lineWindowMs: windowMs, throughputPerSec: (limit * 1000) / windowMs, restLimit: { drainPerSec: 2, burst: 50 } });
    const runs = await jobLog(h, h.rt.queues.runAction);
    for (let i = 0; i < total; i += 1) {
      await h.rt.queues.enqueueRunAction({
        memberId: h.memberId, code: 'wa_send_text', kind: 'robot', eventToken: `wf${i}|A1|tok${i}.sig`, workflowId: `wf${i}`,
        documentId: ['crm', 'CCrmDocumentDeal', 'DEAL_1'], documentType: ['crm', 'CCrmDocumentDeal', 'DEAL'],
        properties: { text: `message ${i}`, phone: '79161234567' }, useSubscription: false, receivedAt: Date.now(),
      });
    }
    for (let i = 0; i < 3; i += 1) await h.startWorkerInstance();
    expect(await runs.completed(total, `${total} sends`, 30_000)).toHaveLength(total);
    await settled(h);
    const times = h.whatsapp.attempts().map((a) => a.receivedAt);
    // Measured with the test's own window: at most `limit` requests reached the provider in any 200 ms.
    expect(maxInWindow(times, windowMs)).toBeLessThanOrEqual(limit);
    expect(h.whatsapp.stats().throttled).toBe(0);
    // Every message exactly once.
    expect(h.whatsapp.sent()).toHaveLength(total);
    expect(new Set(h.whatsapp.sent().map((s) => JSON.stringify(s.body))).size).toBe(total);
    // The limit was shared: every worker instance sent its part.
    for (const worker of h.workerRuntimes) expect(await counterValue(worker.metrics.sends, { outcome: 'sent' })).toBeGreaterThan(0);
  });

  it('500 callbacks to one portal go in ceil(500/50) batch calls with no QUERY_LIMIT_EXCEEDED', async () => {
    h = await createHarness({ startWorkers: false });
    const tokens = await createRunTokens(h, 500);
    const restBefore = h.portal.stats().restRequests;
    for (const token of tokens) await h.rt.outbox.enqueue(h.memberId, { eventToken: token, returnValues: { status: 'sent', message_id: 'm' }, logMessage: 'ok' });
    await h.startWorkerInstance();
    await eventually(() => h.portal.eventSends().filter((e) => e.outcome === 'accepted').length === 500, 30_000, '500 accepted callbacks');
    expect(h.portal.stats().restRequests - restBefore).toBeLessThanOrEqual(Math.ceil(500 / 50));
    expect(h.portal.stats().queryLimitExceeded).toBe(0);
    await eventually(async () => (await h.rt.outbox.pendingCount(h.memberId)) === 0, 5_000, 'outbox settled');
  });

  it('a portal stricter than configured answers QUERY_LIMIT_EXCEEDED; every callback is retried and delivered', async () => {
    h = await createHarness({ startWorkers: false });
    const tokens = await createRunTokens(h, 200);
    h.portal.setRestLimit({ drainPerSec: 4, burst: 2 });
    for (const token of tokens) await h.rt.outbox.enqueue(h.memberId, { eventToken: token, returnValues: { status: 'sent' }, logMessage: 'ok' });
    await h.startWorkerInstance();
    await eventually(() => h.portal.eventSends().filter((e) => e.outcome === 'accepted').length === 200, 40_000, '200 accepted callbacks');
    expect(h.portal.stats().queryLimitExceeded).toBeGreaterThan(0);
    await eventually(async () => (await h.rt.outbox.pendingCount(h.memberId)) === 0, 5_000, 'outbox settled');
    expect(h.portal.eventSends().filter((e) => e.outcome !== 'accepted')).toHaveLength(0);
  });

  it('one bad token in a batch does not fail the others', async () => {
    h = await createHarness({ startWorkers: false });
    const tokens = await createRunTokens(h, 10);
    await h.rt.outbox.enqueue(h.memberId, { eventToken: 'forged|A1|x.deadbeef', returnValues: { status: 'sent' }, logMessage: 'x' });
    for (const token of tokens) await h.rt.outbox.enqueue(h.memberId, { eventToken: token, returnValues: { status: 'sent' }, logMessage: 'ok' });
    await h.startWorkerInstance();
    await eventually(() => h.portal.eventSends().filter((e) => e.outcome === 'accepted').length === 10, 10_000, '10 accepted');
    expect(h.portal.eventSends().filter((e) => e.outcome === 'access_denied')).toHaveLength(1);
    await eventually(async () => (await h.rt.outbox.pendingCount(h.memberId)) === 0, 5_000, 'outbox empty');
  });

  it('an expired token is refreshed once under 20 concurrent calls from two worker processes', async () => {
    h = await createHarness({ startWorkers: false });
    const a = await h.startWorkerInstance();
    const b = await h.startWorkerInstance();
    h.portal.expireAccessToken();
    const refreshesBefore = h.portal.stats().refreshes;
    const calls = Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).bitrix(h.memberId).call<{ ID: string }>('app.info'));
    const results = await Promise.all(calls);
    expect(results.every((r) => typeof r === 'object' && r !== null)).toBe(true);
    expect(h.portal.stats().refreshes - refreshesBefore).toBe(1);
    const stored = await h.rt.portals.get(h.memberId);
    expect(stored?.accessToken).toBe(h.portal.currentTokens().accessToken);
    expect(stored?.refreshToken).toBe(h.portal.currentTokens().refreshToken);
  });
});

/** Starts `n` robot runs on the portal (no workers, so nothing is processed) and returns their tokens. */
async function createRunTokens(h: Harness, n: number): Promise<string[]> {
  // Registration normally runs in a worker; here it runs inline so no robot call is processed.
  await registerPortal(h.rt, h.memberId);
  await waitForRegistration(h, actions.length);
  const tokens: string[] = [];
  const dealId = h.portal.createDeal({ stageId: 'NEW' });
  for (let i = 0; i < n; i += 1) {
    const { run } = await h.portal.runRobot({ code: 'wa_send_text', documentId: ['crm', 'CCrmDocumentDeal', `DEAL_${dealId}`], properties: { text: 'x', phone: '79161234567' } });
    tokens.push(run.eventToken);
  }
  await h.rt.queues.runAction.obliterate({ force: true });
  await h.rt.queues.portalSetup.obliterate({ force: true });
  return tokens;
}
