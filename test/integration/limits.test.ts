import { actions } from '../../actions';
import { registerPortal } from '../../workers/portal-setup-processor';
import { defined } from '../helpers/defined';
import { createHarness, eventually, type Harness, waitForRegistration } from '../helpers/harness';
import { counterValue, jobLog, settled } from '../helpers/signals';

/** Largest number of timestamps inside any window of `windowMs`. */
function maxInWindow(times: number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let best = 0;
  let start = 0;
  for (const [end, time] of sorted.entries()) {
    while (time - defined(sorted[start], 'window start') >= windowMs) start += 1;
    best = Math.max(best, end - start + 1);
  }
  return best;
}

describe('rate limits shared across worker processes', () => {
  let h: Harness;
  afterEach(async () => {
    await h.close();
  });

  it('holds the line limit with 3 worker instances and 160 queued sends', async () => {
    // A 200 ms line window with 16 sends per window: the same 80/s as Meta's per-second limit, so the
    // property (never more than the limit in any window, across processes, with 60 concurrent job
    // slots fighting for 16) is proved over ten full windows in a few seconds instead of 20.
    const windowMs = 200;
    const limit = 16;
    const total = 10 * limit;
    // The simulator counts per second, as Meta does: it gets the same rate per second.
    h = await createHarness({
      startWorkers: false,
      lineRatePerSec: limit,
      lineWindowMs: windowMs,
      throughputPerSec: (limit * 1000) / windowMs,
      restLimit: { drainPerSec: 2, burst: 50 },
    });
    const runs = await jobLog(h, h.rt.queues.runAction);
    await Promise.all(
      Array.from({ length: total }, (_, i) =>
        h.rt.queues.enqueueRunAction({
          memberId: h.memberId,
          code: 'wa_send_text',
          kind: 'robot',
          eventToken: `wf${i}|A1|tok${i}.sig`,
          workflowId: `wf${i}`,
          documentId: ['crm', 'CCrmDocumentDeal', 'DEAL_1'],
          documentType: ['crm', 'CCrmDocumentDeal', 'DEAL'],
          properties: { text: `message ${i}`, phone: '79161234567' },
          useSubscription: false,
          receivedAt: Date.now(),
        }),
      ),
    );
    expect(await h.rt.queues.runAction.getWaitingCount()).toBe(total);
    await Promise.all([0, 1, 2].map(() => h.startWorkerInstance()));
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
    for (const worker of h.workerRuntimes)
      expect(await counterValue(worker.metrics.sends, { outcome: 'sent' })).toBeGreaterThan(0);
  });

  it('230 callbacks to one portal go in ceil(230/50) = 5 batch calls with no QUERY_LIMIT_EXCEEDED', async () => {
    // Four full batches of 50 and a last one of 30: the same batching property as with 500, in less time.
    const n = 230;
    h = await createHarness({ startWorkers: false });
    const tokens = await createRunTokens(h, n);
    const restBefore = h.portal.stats().restRequests;
    for (const token of tokens)
      await h.rt.outbox.enqueue(h.memberId, {
        eventToken: token,
        returnValues: { status: 'sent', message_id: 'm' },
        logMessage: 'ok',
      });
    await h.startWorkerInstance();
    await eventually(
      () => h.portal.eventSends().filter((e) => e.outcome === 'accepted').length === n,
      30_000,
      `${n} accepted callbacks`,
    );
    expect(h.portal.stats().restRequests - restBefore).toBeLessThanOrEqual(Math.ceil(n / 50));
    expect(h.portal.stats().queryLimitExceeded).toBe(0);
    await eventually(async () => (await h.rt.outbox.pendingCount(h.memberId)) === 0, 5_000, 'outbox settled');
  });

  it("callbacks at the portal's very limit, batch after batch, never meet QUERY_LIMIT_EXCEEDED", async () => {
    // 20 batches of 50 against a bucket of 3 draining 10/s: after the first burst every batch goes
    // out the moment the app's bucket allows it, so any jitter between the app's count and the
    // portal's would overflow the portal's bucket without the slot of headroom.
    const n = 1000;
    h = await createHarness({ startWorkers: false });
    const tokens = await createRunTokens(h, n);
    h.portal.setRestLimit({ drainPerSec: 10, burst: 3 });
    await h.rt.portals.update(h.memberId, { restDrainPerSec: 10, restBurst: 3 });
    for (const token of tokens)
      await h.rt.outbox.enqueue(h.memberId, { eventToken: token, returnValues: { status: 'sent' }, logMessage: 'ok' });
    const refusedBefore = h.portal.stats().queryLimitExceeded;
    await h.startWorkerInstance();
    await eventually(
      () => h.portal.eventSends().filter((e) => e.outcome === 'accepted').length >= n,
      60_000,
      `${n} accepted callbacks`,
    );
    expect(h.portal.stats().queryLimitExceeded - refusedBefore).toBe(0);
    await eventually(async () => (await h.rt.outbox.pendingCount(h.memberId)) === 0, 5_000, 'outbox settled');
  });

  it('a portal stricter than configured answers QUERY_LIMIT_EXCEEDED; every callback is retried and delivered', async () => {
    // Configured 10/s (burst 50), the portal then allows 4/s (burst 2): stricter, as the test needs,
    // while the back-off after each QUERY_LIMIT_EXCEEDED stays short.
    h = await createHarness({ startWorkers: false, restLimit: { drainPerSec: 10, burst: 50 } });
    const tokens = await createRunTokens(h, 200);
    h.portal.setRestLimit({ drainPerSec: 4, burst: 2 });
    for (const token of tokens)
      await h.rt.outbox.enqueue(h.memberId, { eventToken: token, returnValues: { status: 'sent' }, logMessage: 'ok' });
    await h.startWorkerInstance();
    await eventually(
      () => h.portal.eventSends().filter((e) => e.outcome === 'accepted').length === 200,
      40_000,
      '200 accepted callbacks',
    );
    expect(h.portal.stats().queryLimitExceeded).toBeGreaterThan(0);
    await eventually(async () => (await h.rt.outbox.pendingCount(h.memberId)) === 0, 5_000, 'outbox settled');
    expect(h.portal.eventSends().filter((e) => e.outcome !== 'accepted')).toHaveLength(0);
  });

  it('one bad token in a batch does not fail the others', async () => {
    h = await createHarness({ startWorkers: false });
    const tokens = await createRunTokens(h, 10);
    await h.rt.outbox.enqueue(h.memberId, {
      eventToken: 'forged|A1|x.deadbeef',
      returnValues: { status: 'sent' },
      logMessage: 'x',
    });
    for (const token of tokens)
      await h.rt.outbox.enqueue(h.memberId, { eventToken: token, returnValues: { status: 'sent' }, logMessage: 'ok' });
    await h.startWorkerInstance();
    await eventually(
      () => h.portal.eventSends().filter((e) => e.outcome === 'accepted').length === 10,
      10_000,
      '10 accepted',
    );
    expect(h.portal.eventSends().filter((e) => e.outcome === 'access_denied')).toHaveLength(1);
    await eventually(async () => (await h.rt.outbox.pendingCount(h.memberId)) === 0, 5_000, 'outbox empty');
  });

  it('an expired token is refreshed once under 20 concurrent calls from two worker processes', async () => {
    h = await createHarness({ startWorkers: false });
    const a = await h.startWorkerInstance();
    const b = await h.startWorkerInstance();
    h.portal.expireAccessToken();
    const refreshesBefore = h.portal.stats().refreshes;
    const calls = Array.from({ length: 20 }, (_, i) =>
      (i % 2 ? a : b).bitrix(h.memberId).call<{ ID: string }>('app.info'),
    );
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
  await registerPortal(h.rt, h.memberId, 'install');
  await waitForRegistration(h, actions.length);
  const tokens: string[] = [];
  const dealId = h.portal.createDeal({ stageId: 'NEW' });
  for (let start = 0; start < n; start += 25) {
    const runs = await Promise.all(
      Array.from({ length: Math.min(25, n - start) }, () =>
        h.portal.runRobot({
          code: 'wa_send_text',
          documentId: ['crm', 'CCrmDocumentDeal', `DEAL_${dealId}`],
          properties: { text: 'x', phone: '79161234567' },
        }),
      ),
    );
    tokens.push(...runs.map(({ run }) => run.eventToken));
  }
  await h.rt.queues.runAction.obliterate({ force: true });
  await h.rt.queues.portalSetup.obliterate({ force: true });
  return tokens;
}
