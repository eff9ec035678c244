import {
  bestUnitMs,
  MIN_WINDOW_SAMPLES,
  type ProbeSample,
  SLOW_MACHINE,
  slowMachineNote,
  speedIn,
  startMachineProbe,
} from '../../bench/machine-speed';
import { speedLine } from '../../bench/readme';
import { type BenchResults, figureRows } from '../../bench/results';
import { benchResults } from '../helpers/bench-results';

/** Samples one per 500 ms from t = 0, each unit taking the given CPU ms. */
const series = (unitMs: number[]): ProbeSample[] => unitMs.map((cpuMs, i) => ({ at: i * 500, cpuMs }));

describe('bench: the machine probe', () => {
  it('takes the run’s 10th percentile as its best, not one lucky unit', () => {
    // Sorted: 4, 6, 6, 6, 6, 6, 6, 6, 6, 12 → the 10th percentile is the second.
    expect(bestUnitMs(series([6, 6, 12, 6, 6, 4, 6, 6, 6, 6]))).toBe(6);
    expect(bestUnitMs(series([6, 6]))).toBeNull();
  });

  it('gives a window’s speed from the median of the units inside it, at most 1', () => {
    const samples = series([6, 6, 6, 6, 12, 12, 12, 6, 6, 6]);
    // Units at 2000, 2500, 3000 ms took 12 ms against a best of 6: half speed.
    expect(speedIn(samples, 2000, 3000, 6)).toBe(0.5);
    // One slow unit among three fast ones does not move the median.
    expect(speedIn(samples, 0, 2000, 6)).toBe(1);
    // A unit faster than the run's best still says 1, not more.
    expect(speedIn(series([5, 5, 5]), 0, 1000, 6)).toBe(1);
  });

  it('says nothing about a window holding too few units', () => {
    const samples = series([6, 6, 6, 6]);
    expect(speedIn(samples, 0, 500 * (MIN_WINDOW_SAMPLES - 2), 6)).toBeNull();
    expect(speedIn(samples, 10_000, 20_000, 6)).toBeNull();
  });

  it('notes a figure only when the machine was slow in its window', () => {
    expect(slowMachineNote(undefined)).toBe('');
    expect(slowMachineNote(SLOW_MACHINE)).toBe('');
    expect(slowMachineNote(0.62)).toBe(' (measured while this machine ran at 62 % of its best speed in the run)');
  });

  it('samples a real process: units of CPU time, one about every 500 ms', async () => {
    const warnings: string[] = [];
    const probe = await startMachineProbe((line) => warnings.push(line));
    try {
      const from = Date.now();
      // The positive signal: enough samples arrived (bounded, never a fixed sleep).
      for (let i = 0; i < 200 && probe.samples.length < MIN_WINDOW_SAMPLES; i += 1)
        await new Promise((r) => setTimeout(r, 50));
      expect(probe.samples.length).toBeGreaterThanOrEqual(MIN_WINDOW_SAMPLES);
      for (const sample of probe.samples) {
        expect(sample.cpuMs).toBeGreaterThan(0);
        expect(sample.at).toBeGreaterThanOrEqual(from - 1000);
      }
      const speed = probe.speedIn(from - 1000, Date.now());
      expect(speed).toBeGreaterThan(0);
      expect(speed).toBeLessThanOrEqual(1);
      expect(warnings).toEqual([]);
    } finally {
      probe.stop();
    }
  });

  it('says so when the probe dies mid-run (later windows get no speed, not a speed of 1)', async () => {
    const warnings: string[] = [];
    const probe = await startMachineProbe((line) => warnings.push(line));
    try {
      if (probe.pid === undefined) throw new Error('the probe has no pid');
      process.kill(probe.pid, 'SIGKILL');
      for (let i = 0; i < 200 && warnings.length === 0; i += 1) await new Promise((r) => setTimeout(r, 25));
      expect(warnings).toEqual([expect.stringContaining('the machine probe stopped')]);
      const after = Date.now();
      expect(probe.speedIn(after, after + 60_000)).toBeNull();
    } finally {
      probe.stop();
    }
  });
});

describe('bench: figures measured on a slow machine', () => {
  const base: BenchResults = {
    ...benchResults,
    machine: { cpus: 2, model: 'Test CPU', speed: { 'outbound.1': 0.6, 'outbound.2': 0.97, 'replies.100000': 0.7 } },
    replies: { ...benchResults.replies, open_waits: { '1000': 1600, '100000': 1200 } },
  };
  const note = (speed: number) => `measured while this machine ran at ${speed} % of its best speed`;
  const row = (r: BenchResults, start: string) => figureRows(r).find((x) => x.figure.startsWith(start))?.measured ?? '';

  it('puts the speed beside the figures of a slow window, and only those', () => {
    expect(row(base, 'outbound, 10 lines × 200 msg/s, 1 worker')).toContain(note(60));
    expect(row(base, 'worker CPU per sent message')).toContain(note(60));
    expect(row(base, 'outbound, 10 lines × 200 msg/s, 2 worker')).not.toContain('measured while');
    expect(row(base, 'callbacks')).not.toContain('measured while');
    // The replies name the point that was slow.
    expect(row(base, 'replies resolved/s')).toContain(`; 100,000: (${note(70)}`);
    expect(row(base, 'replies resolved/s')).not.toContain('1,000: (');
  });

  it('leaves results of earlier releases (no speeds) as they were', () => {
    const older: BenchResults = { ...base, machine: { cpus: 2, model: 'Test CPU' } };
    for (const r of figureRows(older)) expect(r.measured).not.toContain('measured while');
    expect(speedLine(older)).toEqual([]);
  });

  it('lists every window’s speed in the README block', () => {
    const [line] = speedLine(base);
    expect(line).toContain('outbound.1 60 %, outbound.2 97 %, replies.100000 70 %');
  });
});
