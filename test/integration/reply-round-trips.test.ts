import { actions } from '../../actions';
import { createHarness, type Harness, waitForRegistration } from '../helpers/harness';
import { watchCommands } from '../helpers/redis-monitor';
import { startButtonsWait, tap } from '../helpers/waits';

describe('round trips of one reply that ends a button wait', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
    await waitForRegistration(h, actions.length);
  });
  afterAll(async () => {
    await h.close();
  });

  it('explore', async () => {
    const first = await startButtonsWait(h);
    const run = await startButtonsWait(h);
    await tap(h, first, 0, 'Да');
    await h.portal.waitForRun(first.eventToken, 15_000);
    await new Promise((r) => setTimeout(r, 300));
    const info = String(await h.rt.redis.call('CLIENT', 'INFO'));
    const web = /addr=(\S+)/.exec(info)?.[1];
    const watch = await watchCommands(h.redisUrl, h.memberId);
    try {
      await tap(h, run, 0, 'Да');
      await h.portal.waitForRun(run.eventToken, 15_000);
      await new Promise((r) => setTimeout(r, 300));
      const all = await watch.seen();
      for (const c of all) if (c.client !== web) console.log(c.fromScript ? '   lua' : 'APP', c.client, c.name, c.args.slice(0, 4).join(' ').slice(0, 140));
    } finally {
      await watch.stop();
    }
  });
});
