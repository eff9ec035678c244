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

/** A failure count is "in a row" only within a cap of the last pause; older entries are forgotten. */
describe('TrackedDrains with a backoff: stale failures', () => {
  const fail = async (drains: TrackedDrains, key: string) => {
    drains.start(key, () => Promise.reject(new Error('READONLY')), { failed: () => undefined, ended: () => undefined });
    await drains.settled();
  };
  const failing = (drains: TrackedDrains) => (Reflect.get(drains, 'failing') as Map<string, unknown>).size; // private: the entries kept

  it('a drain that runs longer than a cap before it fails is still in the row (its pause doubles)', async () => {
    const clock = createManualClock();
    const drains = new TrackedDrains({ clock, baseMs: 250, maxMs: 5000 });
    await fail(drains, 'p');
    clock.advance(drains.retryIn() ?? 0);
    // The next drain starts at once and fails only after 10 s (a slow Redis, a long portal call).
    let reject: (error: Error) => void = () => undefined;
    drains.start('p', () => new Promise<void>((_, rej) => (reject = rej)), {
      failed: () => undefined,
      ended: () => undefined,
    });
    clock.advance(10_000);
    // Every pass of a loop asks this meanwhile: the running key's entry is kept for its failure.
    expect(drains.retryIn()).toBeUndefined();
    reject(new Error('READONLY'));
    await drains.settled();
    expect(drains.retryIn()).toBe(500);
  });

  it('starts again from the base pause when the last failure is older than a cap, and prunes such entries', async () => {
    const clock = createManualClock();
    const drains = new TrackedDrains({ clock, baseMs: 250, maxMs: 5000 });
    // Four failures in a row bring the portal to the cap (250, 500, 1000, 2000 → 4000 … 5000).
    for (let n = 0; n < 4; n += 1) {
      await fail(drains, 'p');
      clock.advance(drains.retryIn() ?? 0);
    }
    await fail(drains, 'p');
    expect(drains.retryIn()).toBe(4000);
    // Drained well elsewhere for a while (no drain here): its next brief failure is a first one.
    clock.advance(4000 + 5000);
    await fail(drains, 'p');
    expect(drains.retryIn()).toBe(250);
    // Another portal failed once here and then left the index: its entry goes a cap after its pause.
    await fail(drains, 'gone');
    expect(failing(drains)).toBe(2);
    clock.advance(250 + 5000 - 1);
    expect(drains.retryIn()).toBeUndefined();
    expect(failing(drains)).toBe(2);
    clock.advance(1);
    expect(drains.retryIn()).toBeUndefined();
    expect(failing(drains)).toBe(0);
  });

  it('never pauses 0 ms: a cap of 0 (a safety poll of 0) is raised to the base, a base of 0 to 1 ms', async () => {
    const clock = createManualClock();
    const capped = new TrackedDrains({ clock, baseMs: 250, maxMs: 0 });
    await fail(capped, 'p');
    expect(capped.mayStart('p')).toBe(false);
    expect(capped.retryIn()).toBe(250);
    const zero = new TrackedDrains({ clock, baseMs: 0, maxMs: 0 });
    await fail(zero, 'p');
    expect(zero.mayStart('p')).toBe(false);
    expect(zero.retryIn()).toBe(1);
  });

  it('answers for the instant a pass gives: a pause over since then is still one to sleep for', async () => {
    const clock = createManualClock();
    const drains = new TrackedDrains({ clock, baseMs: 250, maxMs: 5000 });
    await fail(drains, 'p');
    const passAt = clock.now();
    clock.advance(300); // the pause ends while the pass runs
    expect(drains.mayStart('p', passAt)).toBe(false);
    expect(drains.retryIn(passAt)).toBe(250);
    expect(drains.mayStart('p')).toBe(true);
    expect(drains.retryIn()).toBeUndefined();
  });
});
