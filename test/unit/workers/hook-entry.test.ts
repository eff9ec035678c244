import { parseCommandLine } from '../../../cli/cli-args';
import { hookBackoffMs, minStreamId, parseHookEntry } from '../../../workers/hook-entry';

describe('outbound event entries', () => {
  it('backs off 10 s doubling, capped at an hour', () => {
    expect([1, 2, 3, 4, 9, 10, 30].map(hookBackoffMs)).toEqual([
      10_000, 20_000, 40_000, 80_000, 2_560_000, 3_600_000, 3_600_000,
    ]);
  });

  it('compares stream ids by time, then sequence (not as text)', () => {
    expect(minStreamId(['1700000000000-1', '999-5', '1700000000000-0'])).toBe('999-5');
    expect(minStreamId(['5-10', '5-9'])).toBe('5-9');
    expect(minStreamId([])).toBe('0-0');
  });

  it('reads an entry as XRANGE returns it, and refuses one without its fields', () => {
    expect(parseHookEntry(['5-0', ['id', 'e1', 'type', 'wait.ended', 'at', '42', 'body', '{}']])).toEqual({
      streamId: '5-0',
      eventId: 'e1',
      type: 'wait.ended',
      at: 42,
      body: '{}',
    });
    expect(() => parseHookEntry(['5-0', ['type', 'wait.ended']])).toThrow();
  });

  it('the hooks commands take only their own flags', () => {
    const add = parseCommandLine([
      'hooks',
      'add',
      '--portal',
      'm1',
      '--url',
      'https://x.example/h',
      '--events',
      'wait.ended',
    ]);
    expect(add.flags).toEqual({ portal: 'm1', url: 'https://x.example/h', events: 'wait.ended' });
    expect(() => parseCommandLine(['hooks', 'add', '--portal', 'm1', '--event', 'wait.ended'])).toThrow(/--event/);
    expect(parseCommandLine(['hooks', 'deliveries', 'h_abc']).positional).toEqual(['h_abc']);
    expect(() => parseCommandLine(['hooks', 'remove', 'h_abc', '--portal', 'm1'])).toThrow(/--portal/);
  });
});
