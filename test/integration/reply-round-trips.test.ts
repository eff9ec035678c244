import { createRegisteredHarness, eventually, type Harness } from '../helpers/harness';
import { type SeenCommand, watchCommands } from '../helpers/redis-monitor';
import { startButtonsWait, tap } from '../helpers/waits';

/** A command as `name key-kind` (the key without prefix, portal tag and ids: `get config-version`, `evalsha win`). */
function label(c: SeenCommand): string {
  const key = (c.name === 'evalsha' ? c.args[2] : c.args[0]) ?? '';
  const bare = key.replace(/^.*?\}:/, '').replace(/^[^:{]+:(?=cb:)/, '');
  const parts = bare.split(':');
  const kind = parts[0] === 'cb' || parts[0] === 'ol' ? parts.slice(0, 2).join(':') : parts[0];
  return `${c.name} ${kind}`;
}

/**
 * What a customer's tap on a wait's button costs the worker in Redis round trips (issue 10: the
 * worker's CPU per resolved reply is spread thin over its commands). Counted from what Redis ran
 * (MONITOR) for the portal's keys, through the real runtime on a real redis-server: no timing.
 */
describe('round trips of one reply that ends a button wait', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createRegisteredHarness();
  });
  afterAll(async () => {
    await h.close();
  });

  it('reads the line, its open line, subscriptions and wait and marks the message in one script, and ends the wait in one script', async () => {
    const [first, run] = [await startButtonsWait(h), await startButtonsWait(h)];
    // A first reply warms the worker's copies (the number's route, the portal's lines and tokens).
    await tap(h, first, 0, 'Да');
    await h.portal.waitForRun(first.eventToken, 15_000);
    // The portal has the first result; its dispatcher then settles the batch and takes the portal
    // off the index of due portals: on a loaded machine that can come after the second tap began.
    const { redis, keys } = h.rt;
    await eventually(
      async () =>
        (await redis.hlen(keys.callbackPending(h.memberId))) === 0 &&
        (await redis.zscore(keys.callbackPortals(), h.memberId)) === null,
      10_000,
      "the first reply's callback settled and the portal off the index",
    );
    // The web process's own commands (the webhook door) are not the worker's.
    const web = /addr=(\S+)/.exec(String(await h.rt.redis.call('CLIENT', 'INFO')))?.[1];
    expect(web).toBeDefined();
    const watch = await watchCommands(h.redisUrl, h.memberId);
    try {
      await tap(h, run, 0, 'Да');
      const done = await h.portal.waitForRun(run.eventToken, 15_000);
      expect(done.returnValues).toMatchObject({ status: 'answered', answer: 'Да' });
      // EVAL only follows an EVALSHA a fresh Redis did not know yet. The first reply's dispatcher
      // may still be moving the index when the watch starts: this reply's commands start at its line.
      const workerLabels = (all: SeenCommand[]) => {
        const worker = all.filter((c) => !c.fromScript && c.client !== web && c.name !== 'eval');
        const start = worker.findIndex((c) => label(c) === 'evalsha config-version');
        return start < 0 ? [] : worker.slice(start);
      };
      // Until the dispatcher has settled this reply's batch and looked at the outbox again.
      const settled = (labels: string[]) => labels.lastIndexOf('zrange cb:due') > labels.indexOf('evalsha wait');
      let worker: SeenCommand[] = [];
      for (let i = 0; i < 100 && !settled(worker.map(label)); i += 1) worker = workerLabels(await watch.seen());
      // The line's last-webhook time is written at most once a second (the warm-up's may still count).
      const marks = worker.filter((c) => label(c) === 'evalsha line-webhook-at');
      expect(marks.length).toBeLessThanOrEqual(1);
      // The first reply's dispatcher may still be finishing (moving the index, looking at the outbox
      // again) after this reply began: those steps come before this reply's wait end, never its own.
      const all = worker.filter((c) => !marks.includes(c)).map(label);
      const claimed = all.indexOf('evalsha wait');
      const trailing = new Set(['evalsha cb:indexed', 'zrem cb:portals', 'zrange cb:due']);
      const labels = all.filter((l, i) => i > claimed || !trailing.has(l));
      const ended = labels.indexOf('evalsha cb:indexed');
      expect(labels.slice(0, ended + 1)).toEqual([
        // One script: the portal's config version (the line is checked under it: its route and lines
        // are copies in the process), the line's open line, whether anybody subscribes, the tapped
        // wait, and the first write: the customer's window (the line's copy is still current).
        'evalsha config-version',
        // The deal's stage (a batch of the replies of ~15 ms: its token and REST slot once per batch).
        // The portal's time zone for the answer's time is read under the first script's version: no GET.
        'get config-version',
        'evalsha rest-bucket',
        // The claim, the callback, the wait.ended decision and whether the index must be written.
        'evalsha wait',
        // The index of due portals and its wake-up, then the mark (a burst's later ends skip both).
        'evalsha cb:portals',
        'evalsha cb:indexed',
      ]);
      // The dispatcher's batch (up to 50 replies): claim, token, REST slot, settle, index move.
      expect(labels.slice(ended + 1)).toEqual([
        'evalsha cb:pending',
        'get config-version',
        'evalsha rest-bucket',
        'evalsha cb:pending',
        // The index move: begun (callback-move-start-2.lua), the portal leaves the index, ended
        // (callback-moved-2.lua: the mark deleted, the portal having left the index).
        'evalsha cb:indexed',
        'zrem cb:portals',
        'evalsha cb:indexed',
        'zrange cb:due',
      ]);
    } finally {
      await watch.stop();
    }
  });
});
