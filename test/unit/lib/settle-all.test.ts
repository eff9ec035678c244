import { settleAll } from '../../../lib/settle-all';

describe('settleAll', () => {
  it('resolves with every value, in order', async () => {
    await expect(settleAll([Promise.resolve(1), Promise.resolve(2)])).resolves.toEqual([1, 2]);
  });

  it('rejects with the first rejection only once every promise has settled', async () => {
    let releaseSlow: () => void = () => undefined;
    const slow = new Promise<string>((resolve) => {
      releaseSlow = () => resolve('slow');
    });
    const order: string[] = [];
    const all = settleAll([
      slow.then((value) => {
        order.push(value);
        return value;
      }),
      Promise.reject(new Error('first')),
      Promise.reject(new Error('second')),
    ]).catch((error: unknown) => {
      order.push(error instanceof Error ? error.message : String(error));
    });
    // Every pending reaction has run (a macrotask comes after all microtasks): Promise.all would have rejected.
    await new Promise((resolve) => setImmediate(resolve));
    expect(order).toEqual([]);
    releaseSlow();
    await all;
    expect(order).toEqual(['slow', 'first']);
  });
});
