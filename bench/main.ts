/**
 * `npm run bench` (`-- --quick` for a CI-sized run): issue 10's figures, each scenario in its own
 * processes (a throw-away redis-server, the simulators' process, the app's web and worker
 * processes). Prints every figure beside its goal and writes bench/results.json; `npm run
 * bench:readme` puts them in the README. `-- --only ingest,callbacks` runs some scenarios and
 * writes nothing. `-- --only replies --points 30000 --replies 30000` answers more replies at other
 * points (a profile of the reply path under BENCH_PROFILE_DIR is then mostly steady state, not
 * start-up), `--reply-workers 2` with two worker processes; a run with any of them writes nothing either.
 */
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { errorMessage } from '../lib/errors/classify-error';
import { bytesPerWaitScenario } from './bytes-per-wait';
import { callbacksScenario } from './callbacks';
import { floorScenario } from './floor';
import { ingestScenario } from './ingest';
import { type MachineProbe, startMachineProbe } from './machine-speed';
import { outboundScenario } from './outbound';
import { repliesScenario } from './replies';
import { benchResultsSchema, figureRows, textTable } from './results';
import { openSystems } from './system';

const SCENARIOS = ['ingest', 'outbound', 'one_line', 'callbacks', 'replies', 'bytes_per_wait'] as const;
type ScenarioName = (typeof SCENARIOS)[number];

const say = (line: string) => process.stdout.write(`    ${line}\n`);

/** A whole number ≥ 1 from an option's text, or a clear error naming the option. */
const positiveCount = (option: string) => (text: string) => {
  const n = Number(text.trim());
  if (!Number.isInteger(n) || n < 1) throw new Error(`${option}: "${text}" is not a whole number ≥ 1`);
  return n;
};

/** The machine probes of this run (stopped with everything else). */
const probes = new Set<MachineProbe>();

/**
 * Each window's speed against the best of the whole run (asked at the end, the probe's best is the
 * run's; windows with too few samples left out).
 */
function finalSpeeds(
  probe: MachineProbe | null,
  windows: Map<string, { from: number; to: number }>,
): Record<string, number> {
  const speeds: Record<string, number> = {};
  for (const [label, { from, to }] of windows) {
    const speed = probe?.speedIn(from, to) ?? null;
    if (speed !== null) speeds[label] = Math.round(speed * 100) / 100;
  }
  return speeds;
}

async function closeEverything(): Promise<void> {
  for (const probe of probes) probe.stop();
  for (const close of [...openSystems]) await close().catch(() => undefined);
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      only: { type: 'string' },
      points: { type: 'string' },
      replies: { type: 'string' },
      'reply-workers': { type: 'string' },
    },
    strict: true,
  });
  const quick = values.quick === true;
  const only = values.only?.split(',').map((s) => s.trim()) ?? [...SCENARIOS];
  const unknown = only.filter((s) => !(SCENARIOS as readonly string[]).includes(s));
  if (unknown.length) throw new Error(`unknown scenario(s) ${unknown.join(', ')}; known: ${SCENARIOS.join(', ')}`);
  const wanted = (name: ScenarioName) => only.includes(name);
  const custom = values.points !== undefined || values.replies !== undefined || values['reply-workers'] !== undefined;
  const replyWorkers =
    values['reply-workers'] === undefined ? 1 : positiveCount('--reply-workers')(values['reply-workers']);
  const points =
    values.points?.split(',').map(positiveCount('--points')) ?? (quick ? [1000, 100_000] : [1000, 100_000, 1_000_000]);
  if (points.some((n, i) => i > 0 && n <= (points[i - 1] ?? 0)))
    throw new Error(`--points: ${points.join(',')} must rise (each point opens more waits than the last)`);
  const repliesPerPoint =
    values.replies === undefined ? (quick ? 500 : 5000) : positiveCount('--replies')(values.replies);
  const seconds = quick ? 3 : 10;
  const startedAt = Date.now();
  // The figures stand without it: a probe that will not start costs their machine speed only.
  const probe = await startMachineProbe(say).catch((error: unknown) => {
    say(`no machine probe (${errorMessage(error)}): the figures carry no machine speed`);
    return null;
  });
  if (probe) probes.add(probe);
  /** Each measured window (a scenario, a replies point), for the machine's speed in it (bench/machine-speed.ts). */
  const windows = new Map<string, { from: number; to: number }>();
  const measured = (label: string, from: number, to: number) => {
    windows.set(label, { from, to });
    const speed = probe?.speedIn(from, to) ?? null;
    if (speed !== null) say(`${label}: this machine ran at ${Math.round(speed * 100)} % of its best speed so far`);
  };
  const step = async <T>(name: string, run: () => Promise<T>, label?: string): Promise<T> => {
    const t0 = Date.now();
    process.stdout.write(`\n▶ ${name}\n`);
    const result = await run();
    if (label) measured(label, t0, Date.now());
    process.stdout.write(`✓ ${name} in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
    return result;
  };
  const figures: Record<string, unknown> = {};
  if (wanted('ingest'))
    figures.ingest = await step('ingest: robot door vs a bare route', () => ingestScenario({ seconds, say }), 'ingest');
  if (wanted('outbound')) {
    const runs = [];
    for (const workers of [1, 2])
      runs.push(
        await step(
          `outbound: 10 lines × 200 msg/s, ${workers} worker process(es)`,
          () => outboundScenario({ workers, lines: 10, limitPerLine: 200, seconds, say }),
          `outbound.${workers}`,
        ),
      );
    figures.outbound = {
      lines: 10,
      limit_per_line: 200,
      workers: [1, 2],
      msgs_per_s: runs.map((r) => r.msgsPerSec),
      max_window_over_limit: runs.map((r) => r.maxWindow - 200),
      cpu_ms_by_process: runs.map((r) => r.cpuByProcess),
      round_trips_per_message: runs.map((r) => r.roundTrips?.perUnit ?? null),
    };
    figures.cpu_ms_per_message = runs[0]?.cpuMsPerMessage ?? 0;
    // The floor of the worker's CPU per message: the stack alone, with the app's own round trips the
    // 1-worker run made (BullMQ's are in the floor's job already).
    const roundTrips = runs[0]?.roundTrips?.appPerUnit ?? runs[1]?.roundTrips?.appPerUnit;
    if (roundTrips !== undefined)
      figures.floor = await step('floor: a BullMQ job, a provider POST and Redis round trips, no app logic', () =>
        floorScenario({ jobs: quick ? 10_000 : 20_000, roundTrips, say }),
      );
  }
  if (wanted('one_line')) {
    const run = await step(
      'one line, 1,000 msg/s limit, 2 worker processes',
      () => outboundScenario({ workers: 2, lines: 1, limitPerLine: 1000, seconds, say }),
      'one_line',
    );
    figures.one_line = { limit: 1000, msgs_per_s: run.msgsPerSec, max_window: run.maxWindow };
  }
  if (wanted('callbacks'))
    figures.callbacks = await step(
      'callbacks: 5,000 to one portal at 10 req/s burst 50',
      () => callbacksScenario({ count: 5000, say }),
      'callbacks',
    );
  if (wanted('replies')) {
    const replies = await step(
      `replies: resolved/s with ${points.join(' / ')} open waits, ${replyWorkers} worker process(es)`,
      () =>
        repliesScenario({
          points,
          replies: repliesPerPoint,
          workers: replyWorkers,
          say,
          measured: (point, from, to) => measured(`replies.${point}`, from, to),
        }),
    );
    figures.replies = { workers: replyWorkers, open_waits: replies.rates, cpu_ms_per_reply: replies.cpu };
  }
  if (wanted('bytes_per_wait'))
    figures.bytes_per_wait = await step('bytes per open button wait', () =>
      bytesPerWaitScenario({ waits: quick ? 300 : 1000, say }),
    );
  const minutes = ((Date.now() - startedAt) / 60_000).toFixed(1);
  if (only.length < SCENARIOS.length || custom) {
    const partial = { ...figures, machine: { speed: finalSpeeds(probe, windows) } };
    process.stdout.write(`\n${JSON.stringify(partial, null, 2)}\n(partial run in ${minutes} min: nothing written)\n`);
    return 0;
  }
  const [cpu] = cpus();
  const results = benchResultsSchema.parse({
    machine: { cpus: cpus().length, model: cpu?.model.trim() ?? 'unknown', speed: finalSpeeds(probe, windows) },
    quick,
    ran_at: new Date().toISOString(),
    ...figures,
  });
  const path = join(__dirname, 'results.json');
  writeFileSync(path, `${JSON.stringify(results, null, 2)}\n`);
  const rows = figureRows(results);
  process.stdout.write(`\n${textTable(rows)}\n\n`);
  process.stdout.write(
    `${rows.filter((r) => r.met).length} of ${rows.length} goals met; ${cpus().length} × ${results.machine.model}; ${minutes} min; wrote ${path} (npm run bench:readme puts it in the README)\n`,
  );
  return 0;
}

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.once(signal, () => {
    stopping = true;
    process.stdout.write(`\n${signal}: stopping every process the bench started\n`);
    void closeEverything().then(() => process.exit(130));
  });

main().then(
  async (code) => {
    await closeEverything();
    process.exit(code);
  },
  async (error: unknown) => {
    // Stopped by a signal: the scenario failed because its processes were stopped; say nothing more.
    if (stopping) return;
    process.stdout.write(`\nBench FAILED: ${errorMessage(error)}\n`);
    await closeEverything();
    process.exit(1);
  },
);
