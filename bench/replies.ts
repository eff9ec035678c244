import { randomBytes } from 'node:crypto';
import { cpus, freemem } from 'node:os';
import { digest } from '../lib/hash';
import type { CallInfo } from '../queues/call-info';
import type { Line } from '../store/line-store';
import { encodeButtonId } from '../waits/button-id';
import { defaultReplyOptions } from '../waits/wait-schema';
import { type CpuSplit, cpuPerUnit, describeSplit, readCpu } from './cpu';
import { startRuns } from './robot-calls';
import type { BenchSystem } from './system';
import { startBenchSystem } from './system';
import { inLanes } from './windows';

export interface RepliesOptions {
  /** Open waits at each measurement, ascending. */
  points: number[];
  /** Replies sent (and waits ended) at each point. */
  replies: number;
  /**
   * Worker processes (`--reply-workers`, 1 by default). On 2 cores shared with the web process, Redis
   * and the simulators, a second worker process made each reply cost the workers more CPU (fewer
   * commands per write, two of every loop) and resolved fewer replies per second (README, "Measured").
   */
  workers: number;
  say: (line: string) => void;
  /** Told each point's window (its warm-up and timed round, wall-clock ms), for the machine's speed in it. */
  measured?: (point: number, from: number, to: number) => void;
}

const BUTTONS = ['Yes', 'No', 'Later'];
/** A generous bound of what one open wait costs in Redis today (≈ 3 KB measured), for the memory check. */
const BYTES_PER_WAIT_BOUND = 4096;
/** Untimed replies before the first point. */
const WARM_UP_REPLIES = 2000;
/**
 * Untimed replies right before each point (after the fill, while the processes sat idle: V8 shrinks
 * an idle heap and drops code not run). 500 were too few after the minutes of the 1,000,000 fill:
 * that point then cost every process about 1.5 times the CPU per reply of the 100,000 point (the
 * web process twice, a quarter of it in GC) and resolved 1,110-1,276/s; after 3,000 it cost the
 * same as the 100,000 point and resolved 1,900/s (2026-12-03, the same code, runs minutes apart).
 */
const POINT_WARM_UP_REPLIES = 3000;
const phoneOf = (n: number) => `7916${String(n).padStart(7, '0')}`;

/**
 * Opens a button wait through the app's own wait-open path (the wait service's `open`: the wait,
 * its index entries and its time-out), as the send-buttons action does before its message leaves.
 */
async function openButtonWait(sys: BenchSystem, line: Line, call: CallInfo, phone: string): Promise<string> {
  const waitId = sys.rt.waits.idFor(call, 'reply');
  const buttons = BUTTONS.map((title, i) => ({ id: encodeButtonId(waitId, i + 1), title }));
  await sys.rt.waits.open({
    line,
    call,
    phone,
    lang: 'en',
    purpose: 'reply',
    timeoutMs: 24 * 3600_000,
    buttons,
    options: { ...defaultReplyOptions },
    stageAtStart: 'NEW',
  });
  return waitId;
}

const callOf = (eventToken: string, workflowId: string, documentId: string[]): CallInfo => ({
  kind: 'robot',
  code: 'wa_send_buttons',
  eventToken,
  workflowId,
  documentId,
  callKey: digest(eventToken),
  timeoutDurationSec: 0,
  receivedAt: Date.now(),
});

interface Round {
  sys: BenchSystem;
  line: Line;
  phoneNumberId: string;
  /** Customers who answered so far: each has a number of their own, never an open wait's number. */
  answered: number;
}

/** How often a round looks whether it is done (its time comes from the portal simulator's own stamp). */
const POLL_MS = 250;

/**
 * What shared the machine with a round, counted since Redis started (one INFO): `forks`, its forks
 * (AOF rewrites, snapshots); `delayedFsyncs`, the times it held its writes back because the previous
 * second's AOF fsync had not finished (`appendfsync everysec` on a busy disk: the chain then waits, idle).
 */
async function redisDisturbances(sys: BenchSystem): Promise<{ forks: number; delayedFsyncs: number }> {
  const info = await sys.rt.redis.info();
  const counter = (name: string) => Number(new RegExp(`${name}:(\\d+)`).exec(info)?.[1] ?? 0);
  return { forks: counter('total_forks'), delayedFsyncs: counter('aof_delayed_fsync') };
}

/** Waits until Redis runs no AOF rewrite (nor has one scheduled); resolves with the ms it waited. */
async function aofRewriteSettled(sys: BenchSystem, timeoutMs = 300_000): Promise<number> {
  const started = Date.now();
  const busy = (info: string) => /aof_rewrite_in_progress:1|aof_rewrite_scheduled:1/.test(info);
  while (busy(await sys.rt.redis.info('persistence'))) {
    if (Date.now() - started > timeoutMs)
      throw new Error(`replies: Redis still rewriting its AOF after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
  return Date.now() - started;
}

/**
 * Opens `count` waits of real runs (on real deals at stage NEW) and taps a button of each through
 * signed webhooks; resolves with the seconds from the first webhook until the portal has accepted
 * the last robot's result (the wait ended and its callback sent).
 */
async function answerRound(
  round: Round,
  count: number,
  expectOpen?: number,
): Promise<{ seconds: number; cpu: CpuSplit }> {
  const { sys, line } = round;
  const openKey = sys.rt.keys.openWaits(sys.memberId);
  const runs = await startRuns(sys, count);
  const replies: Array<{ phoneNumberId: string; from: string; id: string; title: string }> = [];
  await inLanes(
    runs.map((run) => ({ run, phone: phoneOf(9_000_000 + round.answered++) })),
    200,
    async ({ run, phone }) => {
      const waitId = await openButtonWait(sys, line, callOf(run.eventToken, run.workflowId, run.documentId), phone);
      replies.push({ phoneNumberId: round.phoneNumberId, from: phone, id: encodeButtonId(waitId, 1), title: 'Yes' });
    },
  );
  const openBefore = await sys.rt.redis.zcard(openKey);
  if (expectOpen !== undefined && openBefore !== expectOpen)
    throw new Error(`replies: ${openBefore} waits open, expected ${expectOpen}`);
  const resultsBefore = (await sys.sim.call({ cmd: 'portalStats' })).eventSendsAccepted;
  // Built and signed before the clock starts, as a load generator makes its requests ahead: the
  // round times (and charges the simulators' CPU for) sending them, not making them.
  await sys.sim.call({ cmd: 'prepareReplies', replies }, 300_000);
  const cpuBefore = await readCpu(sys.cpu);
  const started = Date.now();
  const delivering = sys.sim.call({ cmd: 'deliverReplies', concurrency: 32 }, 300_000);
  const deadline = started + 300_000;
  // Polled seldom (each poll costs the measured system CPU on a small machine); the end time is the
  // portal's own time of accepting the last result, so the poll interval adds nothing to it.
  let open = openBefore;
  while (open > openBefore - count) {
    if (Date.now() > deadline)
      throw new Error(`replies: ${open - (openBefore - count)} of ${count} waits still open after 300 s`);
    await new Promise((r) => setTimeout(r, POLL_MS));
    open = await sys.rt.redis.zcard(openKey);
  }
  const { statuses } = await delivering;
  if (Object.keys(statuses).some((s) => s !== '200'))
    throw new Error(`replies: webhook answers ${JSON.stringify(statuses)}`);
  // Resolved = the robot resumed: each ended wait's result accepted by the portal (not, say,
  // cancelled for a stage the portal could not read). The time runs until the last of them.
  for (;;) {
    if (Date.now() > deadline) throw new Error(`replies: robots not all resumed after 300 s`);
    const stats = await sys.sim.call({ cmd: 'portalStats' });
    if (stats.eventSendsAccepted - resultsBefore >= count && stats.lastAcceptedAt !== null) {
      // Read at once: the processes are idle again, so the few ms since the last result add little.
      const cpu = cpuPerUnit(cpuBefore, await readCpu(sys.cpu), count);
      return { seconds: (stats.lastAcceptedAt - started) / 1000, cpu };
    }
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

/**
 * Replies resolved per second with many button waits open: the open ones are opened through the
 * app's own path, pipelined (500 at a time), on deals that are never read; the ones answered belong
 * to real runs on real deals at the portal, and the customer taps a button of each through a signed
 * Cloud API webhook at the webhook door. Rate: replies resolved per second (wait ended, robot's
 * result accepted by the portal), from the first webhook.
 */
export async function repliesScenario(
  o: RepliesOptions,
): Promise<{ rates: Record<string, number>; cpu: Record<string, CpuSplit> }> {
  const most = Math.max(...o.points);
  // Refuse up front rather than let redis-server (noeviction) fail half-way, or the machine swap.
  const needed = most * BYTES_PER_WAIT_BOUND * 2;
  if (freemem() < needed)
    throw new Error(
      `replies: ${most.toLocaleString('en-US')} open waits need about ${(needed / 2 ** 30).toFixed(1)} GiB free (Redis and its AOF rewrite); ${(freemem() / 2 ** 30).toFixed(1)} GiB are`,
    );
  const sys = await startBenchSystem({
    workers: o.workers,
    lines: 1,
    // Each reply reads its deal's stage and sends the robot's result: the portal must not be the limit.
    restLimit: { drainPerSec: 500, burst: 2000 },
    lineRatePerSec: 80,
  });
  try {
    const [benchLine] = sys.lines;
    const line = benchLine ? await sys.rt.lines.get(sys.memberId, benchLine.id) : null;
    if (!benchLine || !line) throw new Error('replies: the bench line is not connected');
    const rates: Record<string, number> = {};
    const cpuByPoint: Record<string, CpuSplit> = {};
    const batchTag = randomBytes(4).toString('hex');
    let ballast = 0;
    const round: Round = { sys, line, phoneNumberId: benchLine.phoneNumberId, answered: 0 };
    // Untimed: the first replies warm the processes up (JIT, connections, the portal's token).
    // Enough replies for each process to compile its hot code (each warms up on its own, as the
    // outbound scenario found: the first thousands of jobs cost a worker several times the CPU).
    const warmUp = WARM_UP_REPLIES;
    o.say(
      `warm-up: ${warmUp} replies resolved in ${(await answerRound(round, warmUp)).seconds.toFixed(1)} s (not counted)`,
    );
    for (const point of o.points) {
      // At the smallest point the waits answered may be all the open ones.
      const answering = Math.min(o.replies, point);
      const target = point - answering;
      const openedAt = Date.now();
      const indexes = Array.from({ length: Math.max(0, target - ballast) }, (_, i) => ballast + i);
      await inLanes(indexes, 500, async (i) => {
        const token = `bench-${batchTag}-${i}`;
        const call = callOf(token, `wf-${i}`, ['crm', 'CCrmDocumentDeal', `DEAL_${50_000_000 + i}`]);
        await openButtonWait(sys, line, call, phoneOf(i));
      });
      ballast = Math.max(ballast, target);
      o.say(`${point}: ${indexes.length} waits opened in ${((Date.now() - openedAt) / 1000).toFixed(1)} s`);
      // Filling Redis with the open waits grows its append-only file, and Redis rewrites that file in
      // a forked child (a core busy for seconds): part of the fill, not of the replies measured next.
      const rewriting = await aofRewriteSettled(sys);
      if (rewriting >= POLL_MS)
        o.say(`${point}: waited ${(rewriting / 1000).toFixed(1)} s for Redis's AOF rewrite after the fill`);
      // The processes sat idle while the waits were filled (minutes at 1,000,000: V8 shrinks an idle
      // heap and drops code not run): a few untimed replies first, on waits of their own.
      // The machine's speed is read over the warm-up and the timed round together: a 1,000-reply round
      // alone lasts about a second, too short for the probe's samples (bench/machine-speed.ts).
      const from = Date.now();
      await answerRound(round, POINT_WARM_UP_REPLIES);
      const before = await redisDisturbances(sys);
      const { seconds, cpu } = await answerRound(round, answering, point);
      const to = Date.now();
      // Checked before the round, not held off during it: a rewrite the round's own writes start is said.
      const after = await redisDisturbances(sys);
      const forked = after.forks - before.forks;
      const delayed = after.delayedFsyncs - before.delayedFsyncs;
      rates[String(point)] = answering / seconds;
      cpuByPoint[String(point)] = cpu;
      o.say(
        `${point} open: ${answering} replies resolved in ${seconds.toFixed(2)} s → ${rates[String(point)]?.toFixed(0)}/s${forked > 0 ? ` (Redis forked ${forked} time(s) meanwhile: an AOF rewrite shared the machine)` : ''}${delayed > 0 ? ` (Redis held its writes back ${delayed} time(s) for a slow AOF fsync: the disk, not the CPU)` : ''}`,
      );
      o.say(describeSplit(cpu, cpus().length, 'reply'));
      o.measured?.(point, from, to);
    }
    return { rates, cpu: cpuByPoint };
  } finally {
    await sys.close();
  }
}
