import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { z } from 'zod';

/**
 * Where the CPU of a scenario goes, by process: the bench runs everything on one machine, so a
 * rate that stops short of its goal may be the app's cost or the rest of the chain's (simulators,
 * Redis, the load generator). Each part's CPU per unit of work says which, and `ceilingPerSec`
 * says what the whole chain could reach on this machine's cores at best.
 */
export const cpuSplitSchema = z.strictObject({
  /** The app's worker processes, together. */
  workers: z.number().nonnegative(),
  /** The app's web process. */
  web: z.number().nonnegative(),
  /** The Bitrix24 and WhatsApp simulators (one process). */
  simulators: z.number().nonnegative(),
  /** redis-server (`INFO cpu`: user + system of the main process). */
  redis: z.number().nonnegative(),
  /** The bench process itself: the load generator (autocannon) and the polling. */
  bench: z.number().nonnegative(),
});
export type CpuSplit = z.infer<typeof cpuSplitSchema>;

let ticks: number | undefined;

/** The kernel's clock ticks per second (/proc's unit), asked of `getconf` once per bench process. */
export function ticksPerSecond(): number {
  ticks ??= askTicksPerSecond();
  return ticks;
}

function askTicksPerSecond(): number {
  try {
    const answer = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    return Number.isFinite(answer) && answer > 0 ? answer : 100;
  } catch {
    return 100;
  }
}

/** A process's CPU time (user + system) in ms, from /proc (Linux). */
export function cpuMsOf(pid: number, ticksPerSec: number, readStat: (path: string) => string): number {
  const stat = readStat(`/proc/${pid}/stat`);
  // Fields after the command name (which may hold spaces) start after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) throw new Error(`unreadable /proc/${pid}/stat`);
  return ((utime + stime) / ticksPerSec) * 1000;
}

/** Redis's own CPU time in ms from an `INFO cpu` answer (its forked children, e.g. AOF rewrites, left out). */
export function redisCpuMsOf(info: string): number {
  const field = (name: string) => {
    const match = new RegExp(`^${name}:([0-9.]+)\\r?$`, 'm').exec(info);
    if (!match?.[1]) throw new Error(`INFO cpu has no ${name}`);
    return Number(match[1]);
  };
  return (field('used_cpu_user') + field('used_cpu_sys')) * 1000;
}

/** The processes of a scenario whose CPU is read; workers may come and go between two reads. */
export interface CpuSources {
  workerPids(): number[];
  webPid: number | null;
  simulatorsPid: number;
  redisInfoCpu(): Promise<string>;
}

export type CpuReading = CpuSplit & { workerPids: number[] };

const readStat = (path: string) => readFileSync(path, 'utf8');

/** A process's CPU time by pid (ms), read from /proc. */
export const processCpuMs = (pid: number) => cpuMsOf(pid, ticksPerSecond(), readStat);

/** The bench process's own CPU time (ms): the load generator and the polling. */
export function benchCpuMs(): number {
  const own = process.cpuUsage();
  return (own.user + own.system) / 1000;
}

/** Every part's CPU time so far (ms). */
export async function readCpu(sources: CpuSources): Promise<CpuReading> {
  const workerPids = sources.workerPids();
  return {
    workerPids,
    workers: workerPids.reduce((sum, pid) => sum + processCpuMs(pid), 0),
    web: sources.webPid === null ? 0 : processCpuMs(sources.webPid),
    simulators: processCpuMs(sources.simulatorsPid),
    redis: redisCpuMsOf(await sources.redisInfoCpu()),
    bench: benchCpuMs(),
  };
}

/** CPU ms per unit of work between two readings (the same worker processes in both). */
export function cpuPerUnit(before: CpuReading, after: CpuReading, units: number): CpuSplit {
  if (before.workerPids.join() !== after.workerPids.join())
    throw new Error('cpuPerUnit: the worker processes changed between the two readings');
  const per = (a: number, b: number) => (units > 0 ? Math.max(0, b - a) / units : 0);
  return {
    workers: per(before.workers, after.workers),
    web: per(before.web, after.web),
    simulators: per(before.simulators, after.simulators),
    redis: per(before.redis, after.redis),
    bench: per(before.bench, after.bench),
  };
}

export const totalCpuMs = (split: CpuSplit) => split.workers + split.web + split.simulators + split.redis + split.bench;

/** Units of work per second this machine's cores could carry at best, everything included. */
export const ceilingPerSec = (split: CpuSplit, cpus: number) => {
  const total = totalCpuMs(split);
  return total > 0 ? (cpus * 1000) / total : 0;
};

/** One line for the terminal: each part's ms per unit, the whole chain's, and the machine's ceiling. */
export function describeSplit(split: CpuSplit, cpus: number, unit: string): string {
  const parts = (Object.keys(split) as Array<keyof CpuSplit>).map((k) => `${k} ${split[k].toFixed(2)}`);
  return `CPU ms per ${unit}: ${parts.join(', ')}; whole chain ${totalCpuMs(split).toFixed(2)} ms → at most ${Math.round(ceilingPerSec(split, cpus))}/s on ${cpus} cores`;
}
