import { ActionError } from '../../../lib/errors/app-error';
import { isLastAttempt, retryBackoffStrategy, retryOptions, shouldRetry } from '../../../queues/job-retry';

const job = (attemptsMade: number, attempts = 8) => ({ attemptsMade, opts: retryOptions(attempts, 1000) });

describe('job retries', () => {
  it("honours the error's own Retry-After", () => {
    const error = new ActionError('rate_limited', '429', { retryable: true, retryAfterMs: 42_000 });
    expect(retryBackoffStrategy(1, 'x', error, job(1))).toBe(42_000);
  });

  it('doubles from the job delay otherwise', () => {
    const error = new ActionError('provider_unavailable', '503', { retryable: true });
    expect([1, 2, 3, 4].map((n) => retryBackoffStrategy(n, 'x', error, job(n)))).toEqual([1000, 2000, 4000, 8000]);
  });

  it('retries only retryable errors with attempts left', () => {
    const transient = new ActionError('provider_unavailable', '', { retryable: true });
    const final = new ActionError('window_closed');
    expect(shouldRetry(transient, job(0))).toBe(true);
    expect(shouldRetry(transient, job(7))).toBe(false);
    expect(isLastAttempt(job(7))).toBe(true);
    expect(shouldRetry(final, job(0))).toBe(false);
    expect(shouldRetry(new Error('bug'), job(0))).toBe(true);
  });
});
