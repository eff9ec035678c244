import { BitrixError } from '../../../bitrix/bitrix-error';
import { ActionError, AppError, LineBusyError } from '../../../lib/errors/app-error';
import { classifyError, errorMessage } from '../../../lib/errors/classify-error';

describe('classifyError', () => {
  it('reads an AppError as it says', () => {
    const error = new AppError('install_not_verified', 'tokens do not work', { kind: 'forbidden' });
    expect(classifyError(error)).toEqual({
      code: 'install_not_verified',
      retryable: false,
      retryAfterMs: undefined,
      kind: 'forbidden',
      message: 'tokens do not work',
    });
  });

  it('keeps a provider Retry-After on a retryable action error', () => {
    const error = new ActionError('rate_limited', '429', { retryable: true, retryAfterMs: 7000 });
    expect(classifyError(error)).toMatchObject({
      code: 'rate_limited',
      retryable: true,
      retryAfterMs: 7000,
      kind: 'unavailable',
    });
  });

  it('a full line window is retryable after its wait', () => {
    expect(classifyError(new LineBusyError(120))).toMatchObject({
      code: 'line_busy',
      retryable: true,
      retryAfterMs: 120,
    });
  });

  it('Bitrix24 codes: limits retry, an uninstalled portal and a refusal do not', () => {
    expect(classifyError(new BitrixError('QUERY_LIMIT_EXCEEDED', 'slow down', 503, 'batch')).retryable).toBe(true);
    expect(classifyError(new BitrixError('PORTAL_NOT_INSTALLED', 'gone', 0, 'batch'))).toMatchObject({
      retryable: false,
      kind: 'not_found',
    });
    expect(classifyError(new BitrixError('ACCESS_DENIED', 'no', 403, 'crm.deal.get')).retryable).toBe(false);
  });

  it('a dead Redis is retryable and unavailable', () => {
    expect(classifyError(new Error("Stream isn't writeable and enableOfflineQueue options is false"))).toMatchObject({
      code: 'storage_unavailable',
      retryable: true,
      kind: 'unavailable',
    });
  });

  it("a body parser's 413 and 400 are the client's mistakes", () => {
    const tooLarge = Object.assign(new Error('request entity too large'), { status: 413, type: 'entity.too.large' });
    const malformed = Object.assign(new Error('Unexpected token'), { status: 400, type: 'entity.parse.failed' });
    expect(classifyError(tooLarge)).toMatchObject({ code: 'payload_too_large', kind: 'too_large', retryable: false });
    // Only JSON.parse fails with a SyntaxError: a plain Error of that type is not called JSON.
    expect(classifyError(malformed)).toMatchObject({ code: 'bad_form', kind: 'bad_input', retryable: false });
  });

  it('anything unclassified is internal and gets retries', () => {
    expect(classifyError(new TypeError('x is undefined'))).toMatchObject({
      code: 'internal_error',
      retryable: true,
      kind: 'internal',
    });
    expect(errorMessage('plain')).toBe('plain');
  });
});
