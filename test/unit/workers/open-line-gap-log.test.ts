import { passedGapLog } from '../../../workers/open-line-gap-hold';

describe('passed open-line gaps in the log', () => {
  it('logs a passed gap once, however often the chat is re-arranged with it', () => {
    const lines: unknown[] = [];
    const logPassed = passedGapLog({ warn: (obj: unknown) => void lines.push(obj) });
    const arranged = { passed: [{ from: 2, to: 3, since: 1000 }] };
    logPassed('m', 'c', arranged);
    logPassed('m', 'c', arranged);
    expect(lines).toEqual([{ memberId: 'm', chatKey: 'c', missing: '2-3', since: 1000 }]);
    // Another gap (or the same number missing again later) is logged.
    logPassed('m', 'c', { passed: [{ from: 2, to: 2, since: 5000 }] });
    expect(lines).toHaveLength(2);
  });
});
