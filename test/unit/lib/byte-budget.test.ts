import { createByteBudget } from '../../../lib/byte-budget';

describe('byte budget', () => {
  it('grants in order while the bytes fit; a release lets the next one in', async () => {
    const budget = createByteBudget(200);
    const first = await budget.take(150);
    let secondGranted = false;
    const second = budget.take(100).then((release) => {
      secondGranted = true;
      return release;
    });
    await Promise.resolve();
    expect(secondGranted).toBe(false);
    expect(budget.held()).toBe(150);
    first();
    first();
    const release = await second;
    expect(budget.held()).toBe(100);
    release();
    expect(budget.held()).toBe(0);
  });

  it('a request over the limit runs alone rather than never', async () => {
    const budget = createByteBudget(100);
    const release = await budget.take(500);
    expect(budget.held()).toBe(500);
    release();
    expect(budget.held()).toBe(0);
  });
});
