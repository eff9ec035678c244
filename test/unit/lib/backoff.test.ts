import { doublingPauseMs } from '../../../lib/backoff';

describe('doublingPauseMs', () => {
  it('starts at the first pause, doubles, and stops at the cap', () => {
    expect([0, 1, 2, 3, 4, 5].map((n) => doublingPauseMs(60_000, 300_000, n))).toEqual([
      60_000, 60_000, 120_000, 240_000, 300_000, 300_000,
    ]);
  });
  it('holds the cap for attempts far past it (no overflow to Infinity or NaN)', () => {
    expect(doublingPauseMs(10_000, 3600_000, 5000)).toBe(3600_000);
  });
});
