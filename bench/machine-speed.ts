import { fork } from 'node:child_process';
import { join } from 'node:path';
import { z } from 'zod';

/**
 * How fast this machine ran while a figure was measured, beside its best in the same run. The bench
 * runs on shared virtual machines whose speed moves by itself: here, a fixed unit of work took about
 * 30 ms for minutes, then about 55 ms for half a minute, nothing else running (README, "Measured").
 * A figure measured in such a stretch says more about the host than about the app, so each says the
 * machine's speed during its window: the probe's best (10th percentile over the whole run) over its
 * median inside the window, 1 = as fast as this machine got in the run.
 */
export interface ProbeSample {
  /** Wall-clock ms when the unit ended. */
  at: number;
  /** CPU ms the fixed unit of work took. */
  cpuMs: number;
}

const sampleSchema = z.object({ at: z.number(), cpuMs: z.number().positive() });

/** Fewer samples than this inside a window say nothing about it. */
export const MIN_WINDOW_SAMPLES = 3;
/** Below this a figure's line says the machine was slow while it was measured. */
export const SLOW_MACHINE = 0.85;

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
}

/** The probe's best over the run: its 10th percentile (the very fastest unit may be luck). */
export function bestUnitMs(samples: ProbeSample[]): number | null {
  if (samples.length < MIN_WINDOW_SAMPLES) return null;
  return quantile(
    samples.map((s) => s.cpuMs).sort((a, b) => a - b),
    0.1,
  );
}

/** The machine's speed in [from, to] against `best` (at most 1), or null with too few samples. */
export function speedIn(samples: ProbeSample[], from: number, to: number, best: number): number | null {
  const inside = samples
    .filter((s) => s.at >= from && s.at <= to)
    .map((s) => s.cpuMs)
    .sort((a, b) => a - b);
  if (inside.length < MIN_WINDOW_SAMPLES) return null;
  return Math.min(1, best / quantile(inside, 0.5));
}

/** A figure's note when the machine was slow in its window (else ''). */
export function slowMachineNote(speed: number | undefined): string {
  if (speed === undefined || speed >= SLOW_MACHINE) return '';
  return ` (measured while this machine ran at ${Math.round(speed * 100)} % of its best speed in the run)`;
}

/** The probe process and its samples so far. */
export interface MachineProbe {
  samples: ProbeSample[];
  /** Speed in a window against the best of the run so far (the final figures use the whole run). */
  speedIn(from: number, to: number): number | null;
  stop(): void;
}

/** Forks bench/machine-probe-process.ts and resolves once it has warmed up. */
export function startMachineProbe(): Promise<MachineProbe> {
  const child = fork(join(__dirname, 'machine-probe-process.ts'), [], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    env: { PATH: process.env.PATH ?? '' },
  });
  const samples: ProbeSample[] = [];
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`the machine probe exited (${code}) before it was ready`)));
    child.on('message', (raw: unknown) => {
      const sample = sampleSchema.safeParse(raw);
      if (sample.success) {
        samples.push(sample.data);
        return;
      }
      child.removeAllListeners('exit');
      resolve({
        samples,
        speedIn(from, to) {
          const best = bestUnitMs(samples);
          return best === null ? null : speedIn(samples, from, to, best);
        },
        stop() {
          if (child.connected) child.disconnect();
        },
      });
    });
  });
}
