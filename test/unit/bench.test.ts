import { minCallbackSeconds } from '../../bench/callbacks';
import { ceilingPerSec, cpuMsOf, cpuPerUnit, redisCpuMsOf } from '../../bench/cpu';
import { BLOCK_END, BLOCK_START, readmeBlock, rewriteMeasured } from '../../bench/readme';
import { type BenchResults, benchResultsSchema, figureRows, textTable } from '../../bench/results';
import { countMonitorLines } from '../../bench/round-trips';
import { WARM_UP_MAX_MS, warmUp, warmUpTarget } from '../../bench/warm-up';
import { countBetween, maxInWindow } from '../../bench/windows';
import { benchResults as results } from '../helpers/bench-results';

describe('bench: window counting', () => {
  it('finds the busiest window of any start, not only aligned seconds', () => {
    // 3 in [500, 1500) though each aligned second holds 2.
    expect(maxInWindow([0, 600, 900, 1400, 2600], 1000)).toBe(3);
    expect(maxInWindow([], 1000)).toBe(0);
    // The window is half-open: t and t + 1000 are in different windows.
    expect(maxInWindow([0, 1000, 2000], 1000)).toBe(1);
    expect(maxInWindow([5, 5, 5], 1)).toBe(3);
  });

  it('does not depend on the order of the timestamps', () => {
    expect(maxInWindow([1400, 0, 2600, 900, 600], 1000)).toBe(3);
  });

  it('refuses a window that is not positive', () => {
    expect(() => maxInWindow([1], 0)).toThrow('windowMs must be positive');
  });

  it('counts timestamps in a half-open range', () => {
    expect(countBetween([0, 999, 1000, 1500, 2000], 1000, 2000)).toBe(2);
  });
});

describe('bench: figures', () => {
  it('the callbacks minimum: the bucket starts empty, then one batch per drain step', () => {
    expect(minCallbackSeconds(5000, { drainPerSec: 10, burst: 50 })).toBe(5);
    expect(minCallbackSeconds(2500, { drainPerSec: 10, burst: 50 })).toBe(0);
    expect(minCallbackSeconds(5001, { drainPerSec: 10, burst: 50 })).toBe(5.1);
  });

  it('reads a process CPU time from /proc/<pid>/stat, whatever its name holds', () => {
    const fields = ['S', ...Array.from({ length: 10 }, () => '0'), '250', '50', '0'];
    const stat = `123 (node (x) y) ${fields.join(' ')}`;
    expect(cpuMsOf(123, 100, () => stat)).toBe(3000);
    expect(() => cpuMsOf(1, 100, () => '1 (x) S')).toThrow('unreadable /proc/1/stat');
  });

  it("reads Redis's own CPU from INFO cpu, leaving its children out", () => {
    const info =
      '# CPU\r\nused_cpu_sys:1.500000\r\nused_cpu_user:2.250000\r\nused_cpu_sys_children:9.0\r\nused_cpu_user_children:9.0\r\n';
    expect(redisCpuMsOf(info)).toBe(3750);
    expect(() => redisCpuMsOf('# CPU\r\nused_cpu_sys:1\r\n')).toThrow('INFO cpu has no used_cpu_user');
  });

  it('splits CPU per unit of work by process, and the machine ceiling follows from the whole chain', () => {
    const before = { workerPids: [1, 2], workers: 100, web: 10, simulators: 50, redis: 20, bench: 5 };
    const after = { workerPids: [1, 2], workers: 600, web: 10, simulators: 350, redis: 170, bench: 55 };
    const split = cpuPerUnit(before, after, 1000);
    expect(split).toEqual({ workers: 0.5, web: 0, simulators: 0.3, redis: 0.15, bench: 0.05 });
    // 1 ms of CPU per message in all: 2 cores carry at most 2,000 messages a second.
    expect(ceilingPerSec(split, 2)).toBeCloseTo(2000);
    expect(() => cpuPerUnit(before, { ...after, workerPids: [1, 3] }, 1000)).toThrow('worker processes changed');
  });
});

describe('bench: results.json', () => {
  it('accepts the shape issue 10 names and refuses a missing figure', () => {
    expect(benchResultsSchema.parse(JSON.parse(JSON.stringify(results)))).toEqual(results);
    const { bytes_per_wait: _dropped, ...missing } = results;
    expect(benchResultsSchema.safeParse(missing).success).toBe(false);
    expect(
      benchResultsSchema.safeParse({ ...results, replies: { ...results.replies, open_waits: { '42': 1 } } }).success,
    ).toBe(false);
    // Only a quick run may leave out the 1,000,000 point.
    expect(benchResultsSchema.safeParse({ ...results, quick: false }).success).toBe(false);
    const full = {
      ...results,
      quick: false,
      replies: { ...results.replies, open_waits: { ...results.replies.open_waits, '1000000': 1500 } },
    };
    expect(benchResultsSchema.safeParse(full).success).toBe(true);
    // A results.json of an earlier release (replies on 2 worker processes, not recorded) still reads.
    const { workers: _unrecorded, ...earlier } = results.replies;
    expect(benchResultsSchema.parse({ ...results, replies: earlier }).replies.workers).toBe(2);
  });

  it('puts every figure beside its goal and says which are met', () => {
    const rows = figureRows(results);
    const met = Object.fromEntries(rows.map((r) => [r.figure, r.met]));
    expect(rows).toHaveLength(9);
    expect(met['robot calls/s through the door ÷ a bare Express 5 route']).toBe(true);
    // 1,000 msg/s is under 90 % of 10 × 200; one message over the limit in a second fails the other.
    expect(met['outbound, 10 lines × 200 msg/s, 1 worker process']).toBe(false);
    expect(met['outbound, 10 lines × 200 msg/s, 2 worker processes']).toBe(false);
    expect(met['worker CPU per sent message']).toBe(false);
    expect(met['Redis bytes per open button wait, every key it costs']).toBe(true);
    expect(met['replies resolved/s by open waits (1,000 / 100,000), 1 worker process']).toBe(true);
    const table = textTable(rows);
    expect(table.split('\n')).toHaveLength(rows.length + 2);
    expect(table).toContain('NOT MET');
  });
});

describe('bench: the stack floor and round trips', () => {
  it('says the floor beside the worker CPU per message when it was measured, and nothing when not', () => {
    const floor = { job_ms: 0.07, post_ms: 0.1, round_trip_ms: 0.025, round_trips: 8.5, send_path_ms: 0.3825 };
    const measured = (r: BenchResults) => figureRows(r).find((row) => row.figure === 'worker CPU per sent message');
    expect(measured({ ...results, floor })?.measured).toBe(
      "0.50 ms; the stack's floor for it: 0.383 ms (a BullMQ job 0.070, one provider POST 0.100, the send path's own 8.50 Redis round trips besides BullMQ's × 0.025), no app logic",
    );
    expect(measured(results)?.measured).toBe('0.50 ms');
    expect(benchResultsSchema.parse({ ...results, floor }).floor).toEqual(floor);
  });

  it("counts the commands clients sent between the first and last unit, not a script's own, and BullMQ's apart", () => {
    const finish = '[0 127.0.0.1:49072] "evalsha" "1e9b" "14" "bull:run-action:wait" "bull:run-action:active"';
    const capture = [
      // Before the first unit: a job cut at the head, not counted.
      '1796169320.248400 [0 127.0.0.1:49072] "get" "wa:{p:0788}:config-version"',
      `1796169320.248521 ${finish}`,
      '1796169320.248530 [0 lua] "XADD" "bull:run-action:events" "*" "event" "completed"',
      '1796169320.248600 [0 127.0.0.1:49072] "get" "wa:{p:0788}:config-version"',
      '1796169320.248700 [0 127.0.0.1:49074] "evalsha" "98e1" "5" "wa:{p:0788}:win:line8:79161005378" "x \\"quoted\\""',
      '1796169320.248800 [0 lua] "HGET" "wa:{p:0788}:win-since" "line8"',
      `1796169320.248900 ${finish}`,
      // After the last unit: an idle tail, not counted.
      '1796169320.249000 [0 127.0.0.1:49072] "get" "wa:{p:0788}:config-version"',
      '',
    ].join('\n');
    const { total, queue, units, counts } = countMonitorLines(capture, (args) => args[3] === 'bull:run-action:wait');
    expect({ total, queue, units }).toEqual({ total: 3, queue: 1, units: 1 });
    expect(Object.fromEntries(counts)).toEqual({
      'evalsha bull:run-action:wait': 1,
      'get wa:{}:config-version': 1,
      'evalsha wa:{}:win:…:…': 1,
    });
  });
});

describe('bench: the README block', () => {
  const readme = '# App\n\n## Measured\n\nFrom the test suite:\n\n| what | figure |\n|---|---|\n| a | 1 |\n\n## Next\n';

  it('goes under "## Measured" the first time, keeping the test-derived rows', () => {
    const once = rewriteMeasured(readme, readmeBlock(results));
    expect(once).toContain(`## Measured\n\n${BLOCK_START}`);
    expect(once).toContain('| a | 1 |');
    expect(once).toContain('on 2 × Test CPU @ 2.0GHz, 2026-12-01');
    expect(once.indexOf(BLOCK_END)).toBeLessThan(once.indexOf('From the test suite'));
    // Where the CPU goes: 0.5 + 0.3 + 0.15 + 0.05 = 1 ms per message → 2,000/s on 2 cores; the workers alone 2,000/s a core.
    expect(once).toContain(
      '| message sent, 1 worker process | 0.00 | 0.50 | 0.30 | 0.15 | 0.05 | 1.00 | 2,000/s | 2,000/s |',
    );
    expect(once).toContain(
      '| reply resolved, 1,000 open waits, 1 worker process | 0.20 | 0.40 | 0.30 | 0.10 | 0.00 | 1.00 | 2,000/s | 1,667/s |',
    );
  });

  it('replaces only its own block on the next run', () => {
    const once = rewriteMeasured(readme, readmeBlock(results));
    const again = rewriteMeasured(once, readmeBlock({ ...results, bytes_per_wait: 2000 }));
    expect(again.split(BLOCK_START)).toHaveLength(2);
    expect(again).toContain('| Redis bytes per open button wait, every key it costs | 2,000 | ≤ 1,024 | not met |');
    expect(again.replace(/<!-- bench:start[\s\S]*<!-- bench:end -->/, '')).toBe(
      once.replace(/<!-- bench:start[\s\S]*<!-- bench:end -->/, ''),
    );
  });

  it('refuses a README without the section or with one marker only', () => {
    expect(() => rewriteMeasured('# App\n', 'x')).toThrow('no "## Measured" section');
    expect(() => rewriteMeasured(`## Measured\n${BLOCK_END}\n`, 'x')).toThrow('one bench marker');
  });
});

describe('bench: warm-up', () => {
  /** A provider whose count moves by `step` per pause, and a clock moved only by the pauses. */
  const fakeSystem = (initial: number, step: number) => {
    let accepted = initial;
    let elapsed = 0;
    const pauses: number[] = [];
    return {
      pauses,
      deps: {
        accepted: async () => accepted,
        pause: async (ms: number) => {
          pauses.push(ms);
          elapsed += ms;
          accepted += step;
        },
        elapsedMs: () => elapsed,
      },
    };
  };

  it('gives every worker process the same number of messages, however many there are', () => {
    expect(warmUpTarget(2)).toBe(2 * warmUpTarget(1));
    expect(warmUpTarget(4)).toBe(4 * warmUpTarget(1));
    expect(() => warmUpTarget(0)).toThrow('workers must be ≥ 1');
  });

  it('counts only the messages sent after it started, and ends once the target is reached', async () => {
    const sys = fakeSystem(5000, 400);
    const result = await warmUp(sys.deps, 1000, 100);
    expect(result).toEqual({ messages: 1200, reached: true });
    expect(sys.pauses).toEqual([100, 100, 100]);
  });

  it('stops at its time limit and says the target was not reached', async () => {
    const sys = fakeSystem(0, 1);
    const result = await warmUp(sys.deps, 1_000_000, 1000);
    expect(result.reached).toBe(false);
    expect(sys.pauses).toHaveLength(WARM_UP_MAX_MS / 1000);
    expect(result.messages).toBe(WARM_UP_MAX_MS / 1000);
  });
});
