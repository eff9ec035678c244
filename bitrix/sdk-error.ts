import { SdkError } from '@bitrix24/b24jssdk';
import { errorMessage } from '../lib/errors/classify-error';
import { answerExcerpt } from './batch-post';
import { ADDRESS_REFUSED, BitrixError } from './bitrix-error';
import { sdkAddressRefusal, sdkPoolClosed } from './guarded-sdk';

/** Whatever a portal call through the SDK threw, as the BitrixError the callers classify. */
export function bitrixErrorOf(error: unknown, method: string): BitrixError {
  if (error instanceof BitrixError) return error;
  const refused = sdkAddressRefusal(error);
  if (refused) return new BitrixError(ADDRESS_REFUSED, refused.message, 0, method, { cause: refused });
  // Still a retryable network error, with the PoolClosedError (nothing sent) kept as its cause.
  const closed = sdkPoolClosed(error);
  if (closed) return new BitrixError('NETWORK_ERROR', closed.message, 0, method, { cause: closed });
  if (error instanceof SdkError) {
    const code = error.code === 'JSSDK_CALL_ALL_ATTEMPTS_EXHAUSTED' ? 'NETWORK_ERROR' : error.code;
    // A non-JSON answer (axios' ERR_BAD_*) carries the page itself: only a redacted excerpt goes on.
    const text = code.startsWith('ERR_BAD_') ? answerExcerpt(error.message) : error.message;
    return new BitrixError(code, text, error.status, method);
  }
  return new BitrixError('NETWORK_ERROR', errorMessage(error), 0, method);
}
