/** A Bitrix24 REST error with the portal's code; `retryable` steers queues. */
export class BitrixError extends Error {
  constructor(
    readonly code: string,
    readonly description: string,
    readonly httpStatus: number,
    readonly method: string,
  ) {
    super(`${method}: ${code || 'error'}: ${description}`);
  }

  get retryable(): boolean {
    return isRetryableBitrixCode(this.code, this.httpStatus);
  }
}

// NO_ANSWER: a batch row missing from the answer; we cannot know it took effect, so try again.
const retryableCodes = new Set(['QUERY_LIMIT_EXCEEDED', 'OPERATION_TIME_LIMIT', 'INTERNAL_SERVER_ERROR', 'NETWORK_ERROR', 'REQUEST_TIMEOUT', 'expired_token', 'NO_ANSWER']);

/** Rate limits, time limits, 5xx and transport failures are worth another try; the rest are not. */
export function isRetryableBitrixCode(code: string, httpStatus: number): boolean {
  return retryableCodes.has(code) || httpStatus >= 500 || httpStatus === 0;
}

/** `bizproc.event.send` for a workflow that is gone: the wait is over, not a fault. */
export function isWorkflowGone(code: string, description: string): boolean {
  return code === '404' || /business process is not found|бизнес-процесс не найден/i.test(description);
}
