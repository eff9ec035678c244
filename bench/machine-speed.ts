import { fork } from 'node:child_process';
import { join } from 'node:path';
import { z } from 'zod';

/**
 * How fast this machine ran while a figure was measured, beside its best in the same run. The bench
 * runs on shared virtual machines whose speed moves by itself: here, a unit of work timed by the
 * clock took about 30 ms for minutes, then about 55 ms for half a minute, nothing else running
 * (README, "The two commands"). A figure measured in such a stretch says more about the host than
 * about the app, so each says the machine's speed during its window: the probe's best (10th
 * percentile over the whole run) over its median inside the window, 1 = as fast as it got in the run.
 */
export interface ProbeSample {
  /** Wall-clock ms when the unit ended. */
  at: number;
  /** CPU ms the fixed unit of work took. */
  cpuMs: number;
}

const sampleSchema = z.object({ at: z.number(), cpuMs: z.number().positive() });
const readySchema = z.object({ ready: z.literal(true) });
/** The probe warms up in well under a second; tsx's start may take seconds on a busy machine. */
const READY_TIMEOUT_MS = 60_000;

/** Fewer samples than this inside a window say nothing about it. */
export const MIN_WINDOW_SAMPLES = 3;
/** Below this a figure's line says the machine was slow while it was measured. */
export const SLOW_MACHINE = 0.85;

/**
 * The value at floor(q × n) of ascending values. Not paced-load.ts's nearest-rank `quantile`: at the
 * 10th percentile of 10 units that one is the fastest unit, the luck `bestUnitMs` steps past.
 */
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
  pid: number | undefined;
  samples: ProbeSample[];
  /** Speed in a window against the best of the run so far (the final figures use the whole run). */
  speedIn(from: number, to: number): number | null;
  stop(): void;
}

/**
 * Forks bench/machine-probe-process.ts and resolves once it has warmed up. If it stops later, it
 * says so through `warn`: the windows after that get no speed (no samples), not a speed of 1.
 */
export function startMachineProbe(warn: (line: string) => void): Promise<MachineProbe> {
  const child = fork(join(__dirname, 'machine-probe-process.ts'), [], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    env: { PATH: process.env.PATH ?? '' },
  });
  const samples: ProbeSample[] = [];
  let stopping = false;
  const stop = () => {
    stopping = true;
    if (child.connected) child.disconnect();
  };
  return new Promise((resolve, reject) => {
    let ready = false;
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`the machine probe was not ready within ${READY_TIMEOUT_MS} ms`));
    }, READY_TIMEOUT_MS);
    // Not `once`: a second error event would otherwise go unhandled.
    child.on('error', (error) => {
      if (ready) warn(`the machine probe failed (${error.message}): later figures have no machine speed`);
      else reject(error);
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (!ready) reject(new Error(`the machine probe exited (${code}) before it was ready`));
      else if (!stopping) warn(`the machine probe stopped (${code}): later figures have no machine speed`);
    });
    child.on('message', (raw: unknown) => {
      const sample = sampleSchema.safeParse(raw);
      if (sample.success) samples.push(sample.data);
      if (ready || !readySchema.safeParse(raw).success) return;
      ready = true;
      clearTimeout(timer);
      resolve({
        pid: child.pid,
        samples,
        speedIn(from, to) {
          const best = bestUnitMs(samples);
          return best === null ? null : speedIn(samples, from, to, best);
        },
        stop,
      });
    });
  });
}
