import { TrackedDrains } from '../../../lib/tracked-drains';

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
