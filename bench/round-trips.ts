import { spawn } from 'node:child_process';

/** Top-level Redis commands per unit of work (a script's own commands are not round trips). */
export interface RoundTripSample {
  perUnit: number;
  /** Of `perUnit`, the app's own: BullMQ's (the job's fetch and finish) left out. */
  appPerUnit: number;
  units: number;
  /** Top-level commands per unit by name (EVALSHA by its script's first key; tags and ids as `{}`, `…`). */
  byCommand: Record<string, number>;
}

/** A key without its hash tag and ids, for naming what a command works on. */
const keyShape = (key: string) => key.replace(/\{[^}]*\}/g, '{}').replace(/:[^:]*\d[^:]*/g, ':…');

/** One MONITOR line: `<time> [<db> <source>] "<command>" "<arg>" …` (quoted args, backslash escapes). */
const LINE = /^\d+\.\d+ \[\d+ ([^\]]+)\] (.*)$/;
const ARG = /"((?:[^"\\]|\\.)*)"/g;

/**
 * The client-sent commands of a MONITOR capture, by name, between its first and last unit of work
 * (`isUnit`): the commands after the first unit up to the last one, per unit after the first. So an
 * idle tail (the backlog ran out) or a head cut mid-job adds nothing. `queue`: how many of them were
 * BullMQ's own (keys under `bull:`), which a job's cost already holds.
 */
export function countMonitorLines(
  text: string,
  isUnit: (args: string[]) => boolean,
): { total: number; queue: number; units: number; counts: Map<string, number> } {
  const commands: Array<{ label: string; unit: boolean }> = [];
  for (const line of text.split('\n')) {
    const match = LINE.exec(line);
    // A script's own commands (source `lua`) run inside its one round trip.
    if (!match || match[1] === 'lua') continue;
    const args = [...(match[2] ?? '').matchAll(ARG)].map((m) => m[1] ?? '');
    const command = (args[0] ?? '').toLowerCase();
    // EVALSHA sha numkeys key…: named by its first key; any other command by its first argument.
    const scripted = command === 'evalsha' || command === 'eval';
    commands.push({ label: `${command} ${keyShape((scripted ? args[3] : args[1]) ?? '')}`, unit: isUnit(args) });
  }
  const first = commands.findIndex((c) => c.unit);
  let last = commands.length - 1;
  while (last >= 0 && !commands[last]?.unit) last -= 1;
  const counts = new Map<string, number>();
  let total = 0;
  let queue = 0;
  let units = 0;
  for (const c of first < 0 ? [] : commands.slice(first + 1, last + 1)) {
    counts.set(c.label, (counts.get(c.label) ?? 0) + 1);
    total += 1;
    if (c.label.split(' ')[1]?.startsWith('bull:')) queue += 1;
    if (c.unit) units += 1;
  }
  return { total, queue, units, counts };
}

/**
 * Counts the app's round trips to Redis per unit of work: `redis-cli monitor` for `ms` (the C
 * client keeps up where a Node one would slow the app down), every command a client sent, none a
 * script ran. MONITOR still costs Redis a good deal, so a scenario samples after its measured
 * window, never during it. The units are counted in the same capture (`isUnit`); jobs in flight at
 * either end make it approximate (±1 job in flight per unit over the sample).
 */
export async function sampleRoundTrips(
  port: number,
  ms: number,
  isUnit: (args: string[]) => boolean,
): Promise<RoundTripSample | null> {
  const child = spawn('redis-cli', ['-p', String(port), 'monitor'], { stdio: ['ignore', 'pipe', 'ignore'] });
  const chunks: Buffer[] = [];
  child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  child.once('error', () => undefined);
  await new Promise((r) => setTimeout(r, ms));
  child.kill('SIGTERM');
  await exited;
  const { total, queue, units, counts } = countMonitorLines(Buffer.concat(chunks).toString('utf8'), isUnit);
  if (units === 0) return null;
  const byCommand = Object.fromEntries(
    [...counts]
      .sort((a, b) => b[1] - a[1])
      .filter(([, n]) => n / units >= 0.05)
      .map(([k, n]) => [k, n / units]),
  );
  return { perUnit: total / units, appPerUnit: (total - queue) / units, units, byCommand };
}

/** One line for the bench's log: the round trips per unit, the largest first. */
export function describeRoundTrips(sample: RoundTripSample, unit: string): string {
  const parts = Object.entries(sample.byCommand).map(([command, n]) => `${command} ${n.toFixed(2)}`);
  return `Redis round trips per ${unit}: ${sample.perUnit.toFixed(2)}, ${sample.appPerUnit.toFixed(2)} of them the app's own (over ${sample.units} ${unit}s: ${parts.join(', ')})`;
}
