import { createBitrixPortalSimulator } from '../../simulators/bitrix24';
import { CLIENT_ID, CLIENT_SECRET, createRegisteredHarness, eventually, type Harness } from '../helpers/harness';
import { jobLog, settled } from '../helpers/signals';
import { allSends, CUSTOMER, ordinaryTexts, say, startButtonsWait, tap, waitField } from '../helpers/waits';

describe('the stage-change rule and portal isolation', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await createRegisteredHarness();
  });
  afterEach(async () => {
    await h.close();
  });

  const waitStatus = (run: { buttonIds: string[] }) => waitField(h, run, 'status');

  it('a stage move cancels the robot wait (via the event); the reply becomes an ordinary message and event.send is never called', async () => {
    const run = await startButtonsWait(h);
    await h.portal.moveDeal(run.dealId, 'PREPARATION');
    await eventually(async () => (await waitStatus(run)) === 'cancelled', 10_000, 'wait cancelled by the event');
    const inbound = await jobLog(h, h.rt.queues.inbound);
    await tap(h, run, 0, 'Да');
    expect(await inbound.completed(1)).toEqual(['ordinary']);
    expect(await ordinaryTexts(h)).toContain('Да');
    // Everything finished (a callback queued by mistake would still be in the outbox, or already sent).
    await settled(h);
    expect(allSends(h, run.eventToken)).toHaveLength(0);
  });

  it('a stage move whose event never arrives is caught when the reply comes', async () => {
    const run = await startButtonsWait(h);
    await h.portal.moveDeal(run.dealId, 'C1:NEW', { deliverEvent: false });
    expect(await waitStatus(run)).toBe('open');
    await say(h, 'Да');
    await eventually(async () => (await ordinaryTexts(h)).includes('Да'), 10_000, 'reply stored as ordinary');
    await settled(h);
    expect(await waitStatus(run)).toBe('cancelled');
    expect(await waitField(h, run, 'endReason')).toBe('stage_changed');
    expect(allSends(h, run.eventToken)).toHaveLength(0);
  });

  it('a stage move does not touch a BP activity wait', async () => {
    const run = await startButtonsWait(h, { kind: 'activity' });
    const events = await jobLog(h, h.rt.queues.bitrixEvent);
    await h.portal.moveDeal(run.dealId, 'WON');
    // The stage event was processed and cancelled no wait.
    expect(await events.completed(1, 'stage event processed')).toEqual(['cancelled 0']);
    await settled(h);
    expect(await waitStatus(run)).toBe('open');
    await tap(h, run, 1, 'Нет');
    const done = await h.portal.waitForRun(run.eventToken, 10_000);
    expect(done.returnValues).toMatchObject({ status: 'answered', answer: 'Нет' });
  });

  it('a workflow that ended on the portal side marks the wait cancelled (not retried)', async () => {
    const run = await startButtonsWait(h, { kind: 'activity' });
    h.portal.terminateWorkflow(run.workflowId);
    await tap(h, run, 0, 'Да');
    await eventually(
      () => allSends(h, run.eventToken).some((e) => e.outcome === 'workflow_not_found'),
      10_000,
      'event.send tried',
    );
    await eventually(async () => (await waitStatus(run)) === 'cancelled', 5_000, 'wait marked cancelled');
    expect(await waitField(h, run, 'endReason')).toBe('workflow_gone');
    // The wait is marked before the dispatcher settles its batch: wait for everything to finish, then
    // the callback must be gone from the outbox (not put back for a retry) after its one attempt.
    await settled(h);
    expect(await h.rt.outbox.pendingCount(h.memberId)).toBe(0);
    // The reply the gone workflow never got goes on as an ordinary message.
    await eventually(async () => (await ordinaryTexts(h)).includes('Да'), 5_000, 'reply passed on');
    expect(allSends(h, run.eventToken)).toHaveLength(1);
  });

  it("portal B's webhook carrying portal A's button id resumes nothing", async () => {
    const run = await startButtonsWait(h);
    const portalB = createBitrixPortalSimulator({
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      memberId: 'portal-b-member',
    });
    await portalB.start(0);
    // The app's OAuth server (the harness portal's) confirms portal B's install too.
    h.portal.serveOAuthFor(portalB);
    try {
      expect((await portalB.installApp({ installUrl: `${h.appUrl}/b24/install` })).status).toBe(200);
      h.whatsapp.addPhoneNumber({
        phoneNumberId: '900000000000009',
        accessToken: 'tok-b',
        displayPhoneNumber: '79009999999',
      });
      await h.rt.lines.add({
        id: 'b-line',
        memberId: 'portal-b-member',
        provider: 'cloud',
        phoneNumberId: '900000000000009',
        accessToken: 'tok-b',
        name: 'B',
        createdAt: Date.now(),
      });
      await tap(h, run, 0, 'Да', { phoneNumberId: '900000000000009' });
      await eventually(
        async () => (await h.redis.xlen(h.rt.keys.inboundStream('portal-b-member'))) === 1,
        10_000,
        'stored as B ordinary message',
      );
      await settled(h);
      expect(await waitStatus(run)).toBe('open');
      expect(allSends(h, run.eventToken)).toHaveLength(0);
    } finally {
      await portalB.stop();
    }
  });

  it('a reply from another phone does not resume the wait', async () => {
    const run = await startButtonsWait(h);
    await tap(h, run, 0, 'Да', { from: '79990001122' });
    await eventually(async () => (await ordinaryTexts(h)).length === 1, 10_000, 'stored as ordinary');
    await settled(h);
    expect(await waitStatus(run)).toBe('open');
  });

  it('"stop waiting when an operator answers" ends the wait with status=cancelled; without it the wait stays', async () => {
    const stopping = await startButtonsWait(h, { properties: { stop_on_operator: 'Y' } });
    const keeping = await startButtonsWait(h);
    const waits = h.rt.waits;
    expect(await waits.onOperatorReply(h.memberId, 'main', CUSTOMER)).toBe(1);
    const done = await h.portal.waitForRun(stopping.eventToken, 10_000);
    expect(done.returnValues).toMatchObject({ status: 'cancelled' });
    expect(done.logMessage).toContain('an operator replied');
    expect(await waitStatus(keeping)).toBe('open');
  });

  it('stage reads of many moved deals go out in a few batch calls', async () => {
    const runs = [];
    for (let i = 0; i < 12; i += 1) runs.push(await startButtonsWait(h, { phone: `7916555${String(1000 + i)}` }));
    const before = h.portal.stats();
    await Promise.all(runs.map((run) => h.portal.moveDeal(run.dealId, 'LOSE')));
    await eventually(
      async () => (await h.rt.redis.zcard(h.rt.keys.openWaits(h.memberId))) === 0,
      15_000,
      'all 12 waits cancelled',
    );
    await settled(h);
    const after = h.portal.stats();
    expect((after.byMethod['crm.deal.get'] ?? 0) - (before.byMethod['crm.deal.get'] ?? 0)).toBeGreaterThanOrEqual(12);
    expect(after.restRequests - before.restRequests).toBeLessThan(12);
    for (const run of runs) expect(allSends(h, run.eventToken)).toHaveLength(0);
  });

  it('a deleted document ends the robot wait at reply time', async () => {
    const run = await startButtonsWait(h);
    h.portal.state.crm.deals.delete(run.dealId);
    await tap(h, run, 0, 'Да');
    await eventually(async () => (await waitField(h, run, 'status')) === 'cancelled', 10_000, 'wait cancelled');
    await settled(h);
    expect(allSends(h, run.eventToken)).toHaveLength(0);
  });
});
