import type { Job } from 'bullmq';
import { createLogger } from '../../../lib/logger';
import { CONNECTOR_ID } from '../../../openlines/connector';
import { CHECK_REQUEUE_BASE_MS } from '../../../openlines/switch-off-check';
import { requeueUnsettledChecks } from '../../../openlines/unsettled-checks';
import type { MaintenanceJob, SwitchOffCheckJob } from '../../../queues/job-schemas';
import { switchConnectorOff } from '../../../simulators/bitrix24/methods/imconnector';
import { injectRestFault } from '../../../simulators/bitrix24/rest-faults';
import { createMaintenanceProcessor } from '../../../workers/maintenance-processor';
import type { Harness } from '../../helpers/harness';
import { createManualClock } from '../../helpers/manual-clock';
import { jobLog } from '../../helpers/signals';
import {
  CHAT_ID,
  checkWorkerEachTest,
  customerItem,
  ownDispatchEachTest,
  ownDispatcher,
  waitingSwitchOffChecks,
} from './openline-helpers';

const MINUTE = CHECK_REQUEUE_BASE_MS;

/**
 * The maintenance sweep of lost switch-off checks (review s23-ol2): a check whose status call keeps
 * failing is queued again ever less often (1, 1, 2, 4 … minutes), not every run; portals that
 * cannot answer are skipped; one bad record or one failed enqueue does not stop the others.
 */
describe('open lines: the sweep of lost switch-off checks', () => {
  const clock = createManualClock();
  let h: Harness;
  ownDispatchEachTest({ clock }, (each) => {
    h = each;
  });
  const checkWorker = checkWorkerEachTest(() => h);

  const adminOff = () => switchConnectorOff(h.portal.state, CONNECTOR_ID, 1, 'admin-off');
  const attachment = () => h.rt.openLines.forLine(h.memberId, 'main');
  const checks = () => jobLog(h, h.rt.queues.portalSetup);
  const sweep = () => requeueUnsettledChecks(h.rt, h.memberId);
  const waitingChecks = () => waitingSwitchOffChecks(h);
  /** The admin's check gave up (status refused): the attachment is unsettled at check 1. */
  async function lostCheck(statusFailures: number): Promise<void> {
    injectRestFault(h.portal.state, { code: 'ACCESS_DENIED', times: statusFailures, method: 'imconnector.status' });
    const lost = await checks();
    await adminOff();
    expect(await lost.completed(1, 'the check that gave up')).toEqual(['unconfirmed']);
    expect(await attachment()).toMatchObject({ active: true, checkSeq: 1 });
  }

  it('a status call that keeps failing: checks are queued again only at 1, 1, 2, 4 minutes; once it answers, none', async () => {
    // The admin's check and the sweep's first three fail; the fourth answers.
    await lostCheck(4);
    const statusCalls = () => h.portal.state.stats.byMethod['imconnector.status'];
    const callsBefore = statusCalls() ?? 0;
    for (const [step, waitMs] of [0, MINUTE, 2 * MINUTE, 4 * MINUTE].entries()) {
      clock.advance(waitMs - 1);
      if (waitMs) expect(await sweep()).toBe(0);
      clock.advance(1);
      const log = await checks();
      expect(await sweep()).toBe(1);
      expect(await log.completed(1, `the sweep's check ${step + 1}`)).toEqual([step < 3 ? 'unconfirmed' : 'off']);
      // The same run again queues nothing.
      expect(await sweep()).toBe(0);
    }
    // One status call per check queued: 4 sweeps, 4 calls.
    expect(statusCalls()).toBe(callsBefore + 4);
    expect(await attachment()).toMatchObject({ active: false, checkSeq: 1, settledSeq: 1 });
    // Settled: its count of re-queues starts over, and later sweeps queue nothing.
    const keys = h.rt.keys;
    const count = keys.openLineCheckRequeueCountField('main');
    expect(await h.redis.hget(keys.openLineCheckRequeues(h.memberId), count)).toBeNull();
    await checkWorker.stop();
    clock.advance(60 * MINUTE);
    expect(await sweep()).toBe(0);
    expect(await waitingChecks()).toEqual([]);
  });

  it('refusals take the same slot; a check that writes its answer starts the periods over', async () => {
    // The admin's check and the sweep's first fail; the sweep's second answers.
    await lostCheck(2);
    const first = await checks();
    expect(await sweep()).toBe(1);
    expect(await first.completed(1, "the sweep's first check")).toEqual(['unconfirmed']);
    // No worker: a check queued stays waiting, where it is seen.
    await checkWorker.stop();
    clock.advance(MINUTE / 2);
    await h.rt.openLineOutbox.enqueue(h.memberId, CHAT_ID, customerItem('refused', 1));
    await ownDispatcher(h).drainChat(h.memberId, CHAT_ID);
    expect(await h.rt.openLineOutbox.pending(h.memberId, CHAT_ID)).toBe(1);
    expect(await waitingChecks()).toEqual([]);
    clock.advance(MINUTE / 2);
    expect(await sweep()).toBe(1);
    const second = await checks();
    checkWorker.start();
    expect(await second.completed(1, "the sweep's second check")).toEqual(['off']);
    // A later event's check lost too (numbered, never queued): a minute after the last, not two.
    expect(await h.rt.openLines.nextSwitchOffCheck(h.memberId, '1')).toMatchObject({ checkSeq: 2, settledSeq: 1 });
    await checkWorker.stop();
    clock.advance(MINUTE - 1);
    expect(await sweep()).toBe(0);
    clock.advance(1);
    expect(await sweep()).toBe(1);
  });

  it('the period is capped at an hour', async () => {
    await lostCheck(1);
    await checkWorker.stop();
    // Each check queued is taken off the queue (as if it ran and failed again), so it is not pending.
    const runs: number[] = [];
    for (let minute = 0; minute <= 4 * 60; minute += 1) {
      if (await sweep()) {
        runs.push(minute);
        await h.rt.queues.portalSetup.obliterate({ force: true });
      }
      clock.advance(MINUTE);
    }
    expect(runs).toEqual([0, 1, 3, 7, 15, 31, 63, 123, 183]);
  });

  it('a portal that needs a reinstall, or is gone: its unsettled attachment is not queued', async () => {
    await lostCheck(1);
    await checkWorker.stop();
    await h.rt.portals.setNeedsReinstall(h.memberId, clock.now());
    expect(await sweep()).toBe(0);
    await h.rt.portals.remove(h.memberId);
    expect(await sweep()).toBe(0);
    expect(await waitingChecks()).toEqual([]);
  });

  it('a check still waiting is not queued again (its job is the one)', async () => {
    await checkWorker.stop();
    await adminOff();
    expect(await waitingChecks()).toHaveLength(1);
    expect(await attachment()).toMatchObject({ checkSeq: 1 });
    expect(await sweep()).toBe(0);
    expect(await waitingChecks()).toHaveLength(1);
  });

  it('a record that does not parse is skipped with one warning; the others are still checked', async () => {
    await lostCheck(1);
    await checkWorker.stop();
    await h.redis.hset(h.rt.keys.openLineAttachments(h.memberId), 'old', '{"lineId":"old"}');
    const lines: string[] = [];
    const log = createLogger('info', { write: (line: string) => void lines.push(line) });
    expect(await requeueUnsettledChecks({ ...h.rt, log }, h.memberId)).toBe(1);
    const warned = lines.map((l) => JSON.parse(l)).filter((l) => l.unparsable);
    expect(warned).toMatchObject([{ level: 40, unparsable: 1 }]);
    expect((await waitingChecks()).map((job) => job.data)).toEqual([expect.objectContaining({ lineId: 'main' })]);
  });

  it('one failed enqueue does not keep the portal’s other attachments from theirs', async () => {
    await lostCheck(1);
    await checkWorker.stop();
    // An attachment of the release before settled numbers: unsettled at check 1 too.
    await h.rt.openLines.attach(h.memberId, {
      lineId: 'second',
      openLineId: '2',
      relayTaken: false,
      active: true,
      attachedAt: 1,
      checkSeq: 1,
    });
    const tried: string[] = [];
    const queues = {
      ...h.rt.queues,
      enqueueSwitchOffCheck: (check: SwitchOffCheckJob) => {
        tried.push(check.lineId);
        if (tried.length === 1) return Promise.reject(new Error('queue unreachable'));
        return h.rt.queues.enqueueSwitchOffCheck(check);
      },
    };
    expect(await requeueUnsettledChecks({ ...h.rt, queues, log: createLogger('silent') }, h.memberId)).toBe(1);
    expect([...tried].sort()).toEqual(['main', 'second']);
    const queued = (await waitingChecks()).map((job) => ('lineId' in job.data ? job.data.lineId : null));
    expect(queued).toEqual(tried.slice(1));
  });

  it('the maintenance processor runs the sweep: a lost check is queued and ends off', async () => {
    await lostCheck(1);
    const process = createMaintenanceProcessor({
      ...h.rt,
      callbacks: { reindexPortals: async () => undefined },
      switchOffChecks: h.rt,
    });
    const log = await checks();
    // The processor reads only the job's data.
    const job = { data: { task: 'sweep' } } as Job<MaintenanceJob>;
    expect(await process(job)).toMatch(/, checks 1(,|$)/);
    expect(await log.completed(1, 'the check the maintenance run queued')).toEqual(['off']);
    expect(await attachment()).toMatchObject({ active: false, settledSeq: 1 });
  });
});
