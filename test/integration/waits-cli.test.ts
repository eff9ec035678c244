import { runWaitsCommand } from '../../cli/waits-command';
import { createRegisteredHarness, type Harness } from '../helpers/harness';
import { CUSTOMER, startButtonsWait, waitField, waitIdOf } from '../helpers/waits';

describe('waits CLI and metrics', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await createRegisteredHarness();
  });
  afterEach(async () => {
    await h.close();
  });

  it('lists open waits by portal and phone, and cancels one (the robot gets status=cancelled)', async () => {
    const run = await startButtonsWait(h);
    const waitId = waitIdOf(run);
    const listed = await runWaitsCommand(h.rt, 'list', { portal: h.memberId, phone: `+${CUSTOMER}` }, []);
    expect(listed).toContain(`${h.memberId}\t${waitId}\trobot\treply\tmain\t+${CUSTOMER}\tDEAL_${run.dealId}\tNEW\t`);
    expect(await runWaitsCommand(h.rt, 'list', { phone: '79990000000' }, [])).toBe('no open waits');
    expect(await runWaitsCommand(h.rt, 'cancel', {}, [waitId])).toBe(
      `wait ${waitId} cancelled; the robot gets status=cancelled`,
    );
    const done = await h.portal.waitForRun(run.eventToken, 10_000);
    expect(done.returnValues).toMatchObject({ status: 'cancelled' });
    expect(await waitField(h, run, 'status')).toBe('cancelled');
    expect(await runWaitsCommand(h.rt, 'cancel', {}, [waitId])).toBe(`wait ${waitId} already ended (cancelled)`);
    await expect(runWaitsCommand(h.rt, 'cancel', {}, ['nope'])).rejects.toThrow(/no wait nope/);
    const metrics = await h.rt.metrics.registry.metrics();
    expect(metrics).toMatch(/wa_waits_total\{outcome="cancelled",reason="manual"\} 1/);
  });
});
