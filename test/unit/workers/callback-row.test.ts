import { callbackBackoffMs, classifyCallbackRow } from '../../../workers/callback-row';

describe('a callback row of a batch answer', () => {
  it.each([
    [undefined, 'sent'],
    [{ code: '404', description: '' }, 'workflow_gone'],
    [{ code: 'ERROR', description: 'Business process is not found' }, 'workflow_gone'],
    [{ code: 'ERROR', description: 'Бизнес-процесс не найден' }, 'workflow_gone'],
    [{ code: 'QUERY_LIMIT_EXCEEDED', description: 'Too many requests' }, 'retry'],
    [{ code: 'OPERATION_TIME_LIMIT', description: '' }, 'retry'],
    [{ code: 'NO_ANSWER', description: 'missing row' }, 'retry'],
    [{ code: 'expired_token', description: '' }, 'retry'],
    [{ code: 'ACCESS_DENIED', description: 'Access denied' }, 'rejected'],
    [{ code: 'ERROR_ARGUMENT', description: 'bad token' }, 'rejected'],
  ])('%j → %s', (error, outcome) => {
    expect(classifyCallbackRow(error)).toBe(outcome);
  });

  it('backs off from half a second to a minute', () => {
    expect([1, 2, 3, 7, 20].map(callbackBackoffMs)).toEqual([1000, 2000, 4000, 60_000, 60_000]);
  });
});
