import { TrackedDrains } from '../../../lib/tracked-drains';
import { createManualClock } from '../../helpers/manual-clock';

/** The drains a worker loop runs by key: one that ends leaves the set; only one that did not fail asks to look again. */
describe('TrackedDrains', () => {
  it('a drain that ends leaves the set and calls ended; one that fails calls failed instead', async () => {
    const drains = new TrackedDrains();
    const seen: string[] = [];
    let finish: () => void = () => undefined;
    let fail: (error: Error) => void = () => undefined;
    drains.start('ok', () => new Promise<void>((resolve) => (finish = resolve)), {
      failed: () => seen.push('ok failed'),
      ended: () => seen.push('ok ended'),
    });
    drains.start('bad', () => new Promise<void>((_, reject) => (fail = reject)), {
      failed: (error) => seen.push(`bad failed: ${(error as Error).message}`),
      ended: () => seen.push('bad ended'),
    });
    expect(drains.size).toBe(2);
    expect(drains.has('ok')).toBe(true);
    const settled = drains.settled();
    finish();
    fail(new Error('READONLY'));
    await settled;
    expect(seen.sort()).toEqual(['bad failed: READONLY', 'ok ended']);
    expect(drains.size).toBe(0);
    expect(drains.has('bad')).toBe(false);
  });
});

/** With a backoff: a key whose drain failed waits a doubling pause (injected clock), reset by a drain that did not fail. */
describe('TrackedDrains with a backoff', () => {
  it('pauses a failing key 250, 500 ms … doubling up to the cap, says when, and forgets it after a good drain', async () => {
    const clock = createManualClock();
    const drains = new TrackedDrains({ clock, baseMs: 250, maxMs: 800 });
    let lookAgain = 0;
    const run = async (outcome: 'fail' | 'ok') => {
      drains.start('p', () => (outcome === 'fail' ? Promise.reject(new Error('READONLY')) : Promise.resolve()), {
        failed: () => undefined,
        ended: () => {
          lookAgain += 1;
        },
      });
      expect(drains.mayStart('p')).toBe(false);
      await drains.settled();
    };
    expect(drains.retryIn()).toBeUndefined();
    const pauses: Array<number | undefined> = [];
    for (let n = 0; n < 4; n += 1) {
      await run('fail');
      pauses.push(drains.retryIn());
      clock.advance((drains.retryIn() ?? 0) - 1);
      expect(drains.mayStart('p')).toBe(false);
      clock.advance(1);
      expect(drains.mayStart('p')).toBe(true);
      // A pause that is over is no reason to wake.
      expect(drains.retryIn()).toBeUndefined();
    }
    expect(pauses).toEqual([250, 500, 800, 800]);
    await run('ok');
    await run('fail');
    expect(drains.retryIn()).toBe(250);
    // Every drain, a failed one too, asks its loop to look again (and sleep no longer than the pause).
    expect(lookAgain).toBe(6);
  });
});
