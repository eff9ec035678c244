import { z } from 'zod';
import { ceilingPerSec, cpuSplitSchema, totalCpuMs } from './cpu';
import { slowMachineNote } from './machine-speed';

/** bench/results.json: the shape issue 10 names (snake_case, as in the issue), with a few extra facts. */
const perSecond = z.number().nonnegative();
export const benchResultsSchema = z
  .object({
    machine: z.object({
      cpus: z.number().int().positive(),
      model: z.string(),
      /**
       * The machine's speed while each figure was measured, against its best in the run (1 = as fast;
       * bench/machine-speed.ts): `ingest`, `outbound.<workers>`, `one_line`, `callbacks`,
       * `replies.<open waits>`. Absent in results of earlier releases.
       */
      speed: z.record(z.string(), z.number().min(0).max(1)).optional(),
    }),
    quick: z.boolean(),
    ran_at: z.string(),
    ingest: z.object({
      robot_rps: perSecond,
      bare_rps: perSecond,
      ratio: z.number().nonnegative(),
      p50_ms: z.number().nonnegative(),
      p99_ms_at_1000: z.number().nonnegative(),
      /** Requests per second the door answered (2xx) at the fixed offered rate of 1,000/s. */
      rps_at_1000: perSecond,
      sustained_at_1000: z.boolean(),
      /** The control: the bare route's p99 under the same fixed 1,000 req/s (what the machine alone adds). */
      bare_p99_ms_at_1000: z.number().nonnegative(),
      /** CPU per answered call: the web process, Redis's part for the door, the bare process, autocannon. */
      door_cpu_ms_per_call: z.number().nonnegative(),
      door_redis_cpu_ms_per_call: z.number().nonnegative(),
      bare_cpu_ms_per_call: z.number().nonnegative(),
      load_cpu_ms_per_call: z.number().nonnegative(),
    }),
    outbound: z.object({
      lines: z.number().int().positive(),
      limit_per_line: z.number().int().positive(),
      /** Worker process counts; `msgs_per_s` and `max_window_over_limit` are in the same order. */
      workers: z.array(z.number().int().positive()),
      msgs_per_s: z.array(perSecond),
      max_window_over_limit: z.array(z.number().int()),
      /** CPU per message accepted, by process, for each run. */
      cpu_ms_by_process: z.array(cpuSplitSchema),
      /** The app's Redis round trips per message (MONITOR, right after each run's window); null: not sampled. */
      round_trips_per_message: z.array(z.number().nonnegative().nullable()).optional(),
    }),
    /** bench/floor.ts: the stack's own CPU per sent message, no app logic (ms of one process's CPU). */
    floor: z
      .object({
        job_ms: z.number().nonnegative(),
        post_ms: z.number().nonnegative(),
        round_trip_ms: z.number().nonnegative(),
        round_trips: z.number().nonnegative(),
        send_path_ms: z.number().nonnegative(),
      })
      .optional(),
    one_line: z.object({ limit: z.number().int().positive(), msgs_per_s: perSecond, max_window: z.number().int() }),
    cpu_ms_per_message: z.number().nonnegative(),
    callbacks: z.object({
      count: z.number().int().nonnegative(),
      seconds: z.number().nonnegative(),
      min_seconds: z.number().nonnegative(),
      ratio: z.number().nonnegative(),
      per_batch: z.number().nonnegative(),
      query_limit_exceeded: z.number().int().nonnegative(),
    }),
    replies: z.object({
      /** Worker processes the replies ran on (results of earlier releases: 2). */
      workers: z.number().int().positive().default(2),
      /** Waits ended per second, by how many button waits were open ("1000000" only in a full run). */
      open_waits: z.strictObject({ '1000': perSecond, '100000': perSecond, '1000000': perSecond.optional() }),
      /** CPU per reply resolved, by process, at each point. */
      cpu_ms_per_reply: z.record(z.string(), cpuSplitSchema),
    }),
    bytes_per_wait: z.number().nonnegative(),
  })
  .refine((r) => r.quick || r.replies.open_waits['1000000'] !== undefined, {
    message: 'a full run (not --quick) measures replies with 1,000,000 open waits',
    path: ['replies', 'open_waits', '1000000'],
  });
export type BenchResults = z.infer<typeof benchResultsSchema>;

/** "1 worker process", "2 worker processes". */
export function workerProcesses(count: number): string {
  return `${count} worker process${count > 1 ? 'es' : ''}`;
}

/** One printed row: a figure, what was measured, its goal and whether the goal is met. */
export interface FigureRow {
  figure: string;
  measured: string;
  goal: string;
  met: boolean;
}

const n0 = (x: number) => Math.round(x).toLocaleString('en-US');
const n2 = (x: number) => x.toFixed(2);
const n3 = (x: number) => x.toFixed(3);

/** The machine's ceiling for the whole reply chain at each point (CPU per reply, all processes). */
function replyCeilings(r: BenchResults): string {
  const splits = Object.values(r.replies.cpu_ms_per_reply);
  if (splits.length === 0) return '';
  const totals = splits.map((s) => n2(totalCpuMs(s))).join(' / ');
  const ceilings = splits.map((s) => n0(ceilingPerSec(s, r.machine.cpus))).join(' / ');
  return `; whole chain ${totals} ms CPU per reply → this machine's ceiling ${ceilings}/s`;
}

/** The note of a figure measured while the machine was slow (its window's speed, bench/machine-speed.ts). */
const slowIn = (r: BenchResults, label: string) => slowMachineNote(r.machine.speed?.[label]);

/** The replies' note: the points measured while the machine was slow, each with its speed. */
function slowReplies(r: BenchResults): string {
  const slow = Object.keys(r.replies.open_waits)
    .map((point) => ({ point, note: slowIn(r, `replies.${point}`) }))
    .filter((p) => p.note !== '');
  return slow.map((p) => `; ${n0(Number(p.point))}:${p.note}`).join('');
}

/** What the stack alone costs per sent message (bench/floor.ts), beside the worker's CPU. */
function floorNote(r: BenchResults): string {
  const f = r.floor;
  if (!f) return '';
  return `; the stack's floor for it: ${n3(f.send_path_ms)} ms (a BullMQ job ${n3(f.job_ms)}, one provider POST ${n3(f.post_ms)}, the send path's own ${n2(f.round_trips)} Redis round trips besides BullMQ's × ${n3(f.round_trip_ms)}), no app logic`;
}

/** Every figure beside its goal (issue 10's table). */
export function figureRows(r: BenchResults): FigureRow[] {
  const rows: FigureRow[] = [
    {
      figure: 'robot calls/s through the door ÷ a bare Express 5 route',
      measured: `${n2(r.ingest.ratio)} (${n0(r.ingest.robot_rps)} vs ${n0(r.ingest.bare_rps)} req/s, p50 ${n2(r.ingest.p50_ms)} ms); CPU per call ${n3(r.ingest.door_cpu_ms_per_call)} ms + Redis ${n3(r.ingest.door_redis_cpu_ms_per_call)} vs ${n3(r.ingest.bare_cpu_ms_per_call)} ms${slowIn(r, 'ingest')}`,
      goal: '≥ 0.6',
      met: r.ingest.ratio >= 0.6,
    },
    {
      figure: 'robot door at a fixed 1,000 req/s',
      measured: `${r.ingest.sustained_at_1000 ? 'sustained' : 'not sustained'} (${n0(r.ingest.rps_at_1000)} req/s), p99 ${n2(r.ingest.p99_ms_at_1000)} ms; the bare route under the same load: p99 ${n2(r.ingest.bare_p99_ms_at_1000)} ms${slowIn(r, 'ingest')}`,
      goal: 'sustained, p99 < 20 ms',
      met: r.ingest.sustained_at_1000 && r.ingest.p99_ms_at_1000 < 20,
    },
  ];
  const target = 0.9 * r.outbound.lines * r.outbound.limit_per_line;
  r.outbound.workers.forEach((workers, i) => {
    const rate = r.outbound.msgs_per_s[i] ?? 0;
    const over = r.outbound.max_window_over_limit[i] ?? 0;
    const split = r.outbound.cpu_ms_by_process[i];
    const chain = split
      ? `; whole chain ${n2(totalCpuMs(split))} ms CPU per message → this machine's ceiling ${n0(ceilingPerSec(split, r.machine.cpus))} msg/s`
      : '';
    rows.push({
      figure: `outbound, ${r.outbound.lines} lines × ${r.outbound.limit_per_line} msg/s, ${workerProcesses(workers)}`,
      measured: `${n0(rate)} msg/s; busiest second per line ${over >= 0 ? '+' : ''}${over} vs the limit${chain}${slowIn(r, `outbound.${workers}`)}`,
      goal: `≥ ${n0(target)} msg/s, never over the limit`,
      met: rate >= target && over <= 0,
    });
  });
  const replies = Object.entries(r.replies.open_waits);
  const rates = replies.map(([, v]) => v);
  const flat = rates.length > 0 && Math.min(...rates) >= 0.8 * Math.max(...rates);
  rows.push(
    {
      figure: `one line with a ${n0(r.one_line.limit)} msg/s limit`,
      measured: `${n0(r.one_line.msgs_per_s)} msg/s; busiest second ${n0(r.one_line.max_window)}${slowIn(r, 'one_line')}`,
      goal: `≥ ${n0(0.9 * r.one_line.limit)} msg/s, never > ${n0(r.one_line.limit)} in any 1 s`,
      met: r.one_line.msgs_per_s >= 0.9 * r.one_line.limit && r.one_line.max_window <= r.one_line.limit,
    },
    {
      figure: 'worker CPU per sent message',
      measured: `${n2(r.cpu_ms_per_message)} ms${floorNote(r)}${slowIn(r, 'outbound.1')}`,
      goal: '≤ 0.4 ms',
      met: r.cpu_ms_per_message <= 0.4,
    },
    {
      figure: `callbacks, ${n0(r.callbacks.count)} to one portal at 10 req/s burst 50`,
      measured: `${n2(r.callbacks.ratio)} × the minimum (${n2(r.callbacks.seconds)} s vs ${n2(r.callbacks.min_seconds)} s), ${n2(r.callbacks.per_batch)} per batch, ${r.callbacks.query_limit_exceeded} QUERY_LIMIT_EXCEEDED${slowIn(r, 'callbacks')}`,
      goal: '≤ 1.05 ×, 0',
      met: r.callbacks.ratio <= 1.05 && r.callbacks.query_limit_exceeded === 0,
    },
    {
      figure: `replies resolved/s by open waits (${replies.map(([k]) => n0(Number(k))).join(' / ')}), ${workerProcesses(r.replies.workers)}`,
      measured: `${rates.map(n0).join(' / ')}${replyCeilings(r)}${slowReplies(r)}`,
      goal: '≥ 1,500/s, flat (lowest ≥ 0.8 × highest)',
      met: flat && rates.every((x) => x >= 1500),
    },
    {
      figure: 'Redis bytes per open button wait, every key it costs',
      measured: n0(r.bytes_per_wait),
      goal: '≤ 1,024',
      met: r.bytes_per_wait <= 1024,
    },
  );
  return rows;
}

/** The rows as a plain-text table for the terminal. */
export function textTable(rows: FigureRow[]): string {
  const header: [string, string, string, string] = ['figure', 'measured', 'goal', 'met'];
  const cells = rows.map((row): [string, string, string, string] => [
    row.figure,
    row.measured,
    row.goal,
    row.met ? 'met' : 'NOT MET',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]?.length ?? 0)));
  const line = (c: string[]) => c.map((v, i) => v.padEnd(widths[i] ?? 0)).join(' | ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('-|-'), ...cells.map(line)].join('\n');
}
