import { retryAfterMs } from '../../../providers/retry-after';

describe('Retry-After', () => {
  const now = Date.UTC(2026, 11, 1, 9, 0, 0);

  it('reads seconds and HTTP dates, capped at an hour', () => {
    expect(retryAfterMs('7', now)).toBe(7000);
    expect(retryAfterMs(new Date(now + 30_000).toUTCString(), now)).toBe(30_000);
    expect(retryAfterMs('86400', now)).toBe(3_600_000);
  });

  it('ignores what it cannot read', () => {
    expect(retryAfterMs(null, now)).toBeUndefined();
    expect(retryAfterMs('soon', now)).toBeUndefined();
    expect(retryAfterMs(new Date(now - 5000).toUTCString(), now)).toBeUndefined();
  });
});
