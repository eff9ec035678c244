import { digest } from '../../lib/hash';
import { createRegisteredHarness, eventually, type Harness } from '../helpers/harness';
import { createManualClock, type ManualClock } from '../helpers/manual-clock';
import { jobLog, settled } from '../helpers/signals';
import { allSends, startButtonsWait, waitField, waitIdOf } from '../helpers/waits';

const DAY = 86400_000;

// Time-outs as deadlines: one sorted set per portal (deadline → wait id), drained by one repeatable
// job on the injected clock, instead of one delayed job per wait.
describe('wait time-outs through the deadline sets', () => {
  let h: Harness;
  let clock: ManualClock;
  beforeEach(async () => {
    clock = createManualClock(Date.now());
    h = await createRegisteredHarness({ clock, deadlineDrainEveryMs: 200 });
  });
  afterEach(async () => {
    await h.close();
  });

  it('a wait times out when the injected clock passes its deadline: no job per wait, exactly one outcome', async () => {
    const run = await startButtonsWait(h);
    const waitId = waitIdOf(run);
    await settled(h);
    expect(await h.rt.queues.waitTimeout.count()).toBe(0);
    const deadline = Number(await h.redis.zscore(h.rt.keys.openWaits(h.memberId), waitId));
    expect(deadline).toBe(clock.now() + DAY);
    // The drain runs several times meanwhile (every 200 ms): the deadline has not passed on the clock.
    const drains = await jobLog(h, h.rt.queues.waitDeadlines);
    await drains.completed(3, 'three drain runs');
    expect(await waitField(h, run, 'status')).toBe('open');
    clock.set(deadline);
    const done = await h.portal.waitForRun(run.eventToken, 10_000);
    expect(done.returnValues).toMatchObject({ status: 'timeout', answer: '', message_id: run.wamid });
    expect(await h.redis.zscore(h.rt.keys.openWaits(h.memberId), waitId)).toBeNull();
    expect(await h.redis.zscore(h.rt.keys.waitDeadlinePortals(), h.memberId)).toBeNull();
    await settled(h);
    expect(allSends(h, run.eventToken)).toHaveLength(1);
  });

  it('a time-out job an older release queued for its wait is still honoured (rolling deploy)', async () => {
    const run = await startButtonsWait(h);
    const waitId = waitIdOf(run);
    await settled(h);
    // What releases before the deadline sets queued per wait (same queue, name, data and job id).
    const legacy = await jobLog(h, h.rt.queues.waitTimeout);
    await h.rt.queues.waitTimeout.add(
      'timeout',
      { memberId: h.memberId, waitId },
      { jobId: `wt-${digest(`${h.memberId}|${waitId}`)}`, delay: 0 },
    );
    expect(await legacy.completed(1, 'the legacy time-out job')).toEqual(['checked']);
    const done = await h.portal.waitForRun(run.eventToken, 10_000);
    expect(done.returnValues).toMatchObject({ status: 'timeout' });
    // Ended in the wait-end script: out of the deadline set, so the drain never ends it again.
    expect(await h.redis.zscore(h.rt.keys.openWaits(h.memberId), waitId)).toBeNull();
    clock.advance(2 * DAY);
    const drains = await jobLog(h, h.rt.queues.waitDeadlines);
    await drains.completed(2, 'two drain runs past the deadline');
    await settled(h);
    expect(allSends(h, run.eventToken)).toHaveLength(1);
  });

  it('a portal missing from the deadline index (a crash between opening and indexing) is put back by maintenance', async () => {
    const run = await startButtonsWait(h);
    await settled(h);
    await h.redis.zrem(h.rt.keys.waitDeadlinePortals(), h.memberId);
    await h.rt.waits.reindexDeadlines([h.memberId]);
    clock.advance(DAY);
    const done = await h.portal.waitForRun(run.eventToken, 10_000);
    expect(done.returnValues).toMatchObject({ status: 'timeout' });
    await eventually(async () => (await waitField(h, run, 'status')) === 'timeout', 5_000, 'wait ended');
  });
});
