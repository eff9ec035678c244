import { z } from 'zod';
import { createLogger } from '../../../lib/logger';
import { createMetrics } from '../../../lib/metrics';
import type { Reschedule } from '../../../redis/callback-scripts';
import {
  callbackBackoffMs,
  classifyCallbackRow,
  MAX_QUEUED_AHEAD_MS,
  setAsideUnreadable,
  UNREADABLE_RECHECK_MS,
} from '../../../workers/callback-row';
import { createKeptRowWarnings, KEPT_WARN_EVERY_MS } from '../../../workers/kept-row-warnings';
import { createManualClock } from '../../helpers/manual-clock';

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

describe('a claimed row this worker cannot read', () => {
  const DAY_MS = 86_400_000;
  const lineSchema = z.object({ level: z.number(), msg: z.string() });

  function aside(rememberedRows?: number) {
    const clock = createManualClock();
    const lines: string[] = [];
    const deps = {
      clock,
      log: createLogger('debug', { write: (line: string) => void lines.push(line) }),
      metrics: createMetrics(),
      warnings: createKeptRowWarnings({ rememberedRows }),
    };
    const settle = { acks: [] as string[], reschedules: [] as Reschedule[] };
    // The claim script's SHA1 of the stored row; here any token the reschedule must carry unchanged.
    const look = (json: string, id = 'r1') =>
      setAsideUnreadable(deps, { memberId: 'm1', row: { id, json, sha: `sha-of-${id}` }, maxAgeMs: DAY_MS }, settle);
    const levels = () => lines.map((line) => lineSchema.parse(JSON.parse(line)).level);
    const messages = () => lines.map((line) => lineSchema.parse(JSON.parse(line)).msg);
    return { clock, deps, settle, look, levels, messages };
  }
  /** A newer release's form (numbers among the return values), queued `ageMs` ago. */
  const row = (now: number, ageMs: number) =>
    JSON.stringify({ eventToken: 'wf|N|t.s', returnValues: { n: 5 }, queuedAt: now - ageMs });

  it.each([
    ['not JSON', 'dropped_unreadable', () => '{'],
    ['no queue time', 'dropped_unreadable', () => JSON.stringify({ eventToken: 'wf|N|t.s' })],
    ['queued now', 'kept', (now: number) => row(now, 0)],
    ['at the end of its budget', 'kept', (now: number) => row(now, DAY_MS)],
    ['past its budget', 'dropped_kept_expired', (now: number) => row(now, DAY_MS + 1)],
    // A host's clock a few hours off must not lose its answers (a drop is for good).
    ["queued hours ahead (a host's clock off)", 'kept', (now: number) => row(now, -6 * 3600_000)],
    ["queued ahead within the clocks' allowance", 'kept', (now: number) => row(now, -MAX_QUEUED_AHEAD_MS)],
    ['queued in µs, not ms (decades ahead)', 'dropped_unreadable', (now: number) => row(now, now - now * 1000)],
    ['queued further ahead (it never ages)', 'dropped_unreadable', (now: number) => row(now, -MAX_QUEUED_AHEAD_MS - 1)],
  ])('%s → %s', async (_what, fate, json) => {
    const { clock, deps, settle, look } = aside();
    look(json(clock.now()));
    const kept = (await deps.metrics.callbacksKeptUnreadable.get()).values[0]?.value ?? 0;
    const results = (await deps.metrics.callbacks.get()).values.map((v) => [v.labels.outcome, v.value]);
    if (fate === 'kept') {
      expect(settle).toEqual({
        acks: [],
        reschedules: [{ id: 'r1', sha: 'sha-of-r1', dueMs: clock.now() + UNREADABLE_RECHECK_MS }],
      });
      expect([kept, results]).toEqual([1, []]);
    } else {
      expect(settle).toEqual({ acks: ['r1'], reschedules: [] });
      expect([kept, results]).toEqual([0, [[fate, 1]]]);
    }
  });

  it("warns at a kept row's first look, logs the next ones at debug, and warns again after the period", () => {
    const { clock, look, levels } = aside();
    const json = row(clock.now(), 0);
    look(json);
    clock.advance(UNREADABLE_RECHECK_MS);
    look(json);
    // Another row is warned about on its own.
    look(json, 'r2');
    clock.advance(KEPT_WARN_EVERY_MS);
    look(json);
    expect(levels()).toEqual([40, 20, 40, 40]);
  });

  it('past the rows it remembers, says so once (the rows at debug), not nothing', () => {
    const { clock, look, levels, messages } = aside(1);
    const json = row(clock.now(), 0);
    look(json, 'r1');
    look(json, 'r2');
    look(json, 'r3');
    expect(levels()).toEqual([40, 20, 40, 20]);
    expect(messages()[2]).toMatch(/more callbacks kept for a newer worker than this process warns about/);
  });
});
