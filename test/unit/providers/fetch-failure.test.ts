import { PoolClosedError } from '../../../lib/connect-guard';
import { fetchFailure } from '../../../providers/fetch-failure';

const failed = (code?: string) =>
  new TypeError('fetch failed', code === undefined ? undefined : { cause: Object.assign(new Error(code), { code }) });

describe('a provider request that threw before any answer', () => {
  it.each(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT'])(
    '%s: never reached the provider, so nothing may have been sent',
    (code) => {
      expect(fetchFailure(failed(code))).toMatchObject({
        code: 'provider_unavailable',
        retryable: true,
        outcomeUnknown: false,
      });
    },
  );

  it.each(['ECONNRESET', 'UND_ERR_SOCKET', undefined])('%s: the request may have been carried out', (code) => {
    expect(fetchFailure(failed(code))).toMatchObject({ retryable: true, outcomeUnknown: true });
  });

  it('a time-out (the abort signal) may have been carried out', () => {
    expect(
      fetchFailure(new DOMException('The operation was aborted due to timeout', 'TimeoutError')).outcomeUnknown,
    ).toBe(true);
  });

  // undici.request (the send path) throws the network error itself, with its code, not as a cause.
  it.each([
    ['ECONNREFUSED', false],
    ['UND_ERR_CONNECT_TIMEOUT', false],
    ['UND_ERR_HEADERS_TIMEOUT', true],
    ['UND_ERR_SOCKET', true],
  ])('%s thrown directly: outcome unknown = %s', (code, unknown) => {
    expect(fetchFailure(Object.assign(new Error(code), { code })).outcomeUnknown).toBe(unknown);
  });

  it('a pool closed as the process stops: nothing was sent, a later try may go', () => {
    const closed = new TypeError('fetch failed', { cause: new PoolClosedError('outbound') });
    expect(fetchFailure(closed)).toMatchObject({
      code: 'provider_unavailable',
      retryable: true,
      outcomeUnknown: false,
      message: expect.stringContaining('pool is closed'),
    });
  });
});
