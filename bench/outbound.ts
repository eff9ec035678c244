import { cpus } from 'node:os';
import { Redis } from 'ioredis';
import { type CpuSplit, cpuPerUnit, describeSplit, readCpu } from './cpu';
import { queueRobotRuns } from './robot-calls';
import { describeRoundTrips, type RoundTripSample, sampleRoundTrips } from './round-trips';
import { type BenchSystem, startBenchSystem } from './system';
import { warmUp, warmUpTarget } from './warm-up';

export interface OutboundOptions {
  workers: number;
  lines: number;
  limitPerLine: number;
  /** Length of the measured window. */
  seconds: number;
  say: (line: string) => void;
}

export interface OutboundFigures {
  msgsPerSec: number;
  /** The busiest 1 s of requests (accepted or not) any line got at the Cloud API, over the whole run. */
  maxWindow: number;
  cpuMsPerMessage: number;
  /** CPU per message accepted, by process (the workers' part is `cpuMsPerMessage`). */
  cpuByProcess: CpuSplit;
  /** The app's Redis round trips per message, sampled right after the window (null: the backlog ran out). */
  roundTrips: RoundTripSample | null;
}

/**
 * The app's round trips per message, over 3 s after the measured window (MONITOR would slow the
 * window): a message is one finished run-action job (BullMQ's moveToFinished, which names the queue's wait list).
 */
async function countRoundTrips(sys: BenchSystem): Promise<RoundTripSample | null> {
  // The bench's view is one Redis (bench/system.ts starts one redis-server), never a cluster.
  if (!(sys.rt.redis instanceof Redis)) return null;
  const finished = (args: string[]) =>
    args[0]?.toLowerCase() === 'evalsha' && args[2] === '14' && args[3] === 'bull:run-action:wait';
  return sampleRoundTrips(sys.rt.redis.options.port ?? 6379, 3000, finished);
}

/** Backlog for this much more: the first worker process takes jobs while the others still start. */
const START_SLACK_MS = 3000;

/**
 * Text robots on `lines` lines, queued as a backlog larger than the lines can send in the window
 * (so the workers never run dry), then released: messages accepted per second at the Cloud API,
 * each line's busiest second of requests there, and the workers' CPU per message.
 */
export async function outboundScenario(o: OutboundOptions): Promise<OutboundFigures> {
  // No worker runs while the backlog is queued: the workers start on a full queue, all at once, so
  // the figure does not depend on how running workers notice a paused queue's resume.
  const sys = await startBenchSystem({
    workers: 0,
    lines: o.lines,
    // Each text robot's result goes back in a batch: a generous limit keeps that from gating sends.
    restLimit: { drainPerSec: 100, burst: 500 },
    lineRatePerSec: o.limitPerLine,
  });
  try {
    // Not measured: the warm-up, the same number of messages per worker process (bench/warm-up.ts).
    const warmUpMessages = warmUpTarget(o.workers);
    const backlog = warmUpMessages + Math.ceil(o.lines * o.limitPerLine * (o.seconds + START_SLACK_MS / 1000));
    const properties = Array.from({ length: backlog }, (_, i) => ({
      text: `Order ${i} is ready`,
      phone: `+7916${String(1_000_000 + i)}`,
      line: sys.lines[i % sys.lines.length]?.id ?? 'line0',
    }));
    const queuedAt = Date.now();
    await queueRobotRuns(sys, 'wa_send_text', properties);
    o.say(`${backlog} text robots queued in ${((Date.now() - queuedAt) / 1000).toFixed(1)} s`);
    await Promise.all(Array.from({ length: o.workers }, () => sys.startWorker()));
    const warmStart = Date.now();
    const warm = await warmUp(
      {
        accepted: async () => (await sys.sim.call({ cmd: 'accepted' })).accepted,
        pause: (ms) => new Promise((r) => setTimeout(r, ms)),
        elapsedMs: () => Date.now() - warmStart,
      },
      warmUpMessages,
    );
    o.say(
      `warm-up: ${warm.messages} messages in ${((Date.now() - warmStart) / 1000).toFixed(1)} s${warm.reached ? '' : ` (warning: short of ${warmUpMessages}, the figures include warm-up)`}`,
    );
    const from = Date.now();
    const cpuBefore = await readCpu(sys.cpu);
    const portalBefore = await sys.sim.call({ cmd: 'portalStats' });
    await new Promise((r) => setTimeout(r, o.seconds * 1000));
    const to = Date.now();
    const cpuAfter = await readCpu(sys.cpu);
    const simShare = (cpuAfter.simulators - cpuBefore.simulators) / (to - from);
    const portalAfter = await sys.sim.call({ cmd: 'portalStats' });
    const left = await sys.rt.queues.runAction.getWaitingCount();
    const view = await sys.sim.call({ cmd: 'cloudWindows', from, to });
    // The limit holds over the whole run, warm-up included: every request any line got so far.
    const whole = await sys.sim.call({ cmd: 'cloudWindows', from: 0, to: Date.now() + 1 });
    if (left === 0) o.say('warning: the backlog ran out inside the window (the rate is a lower bound)');
    const seconds = (to - from) / 1000;
    const maxWindow = Math.max(0, ...whole.lines.map((l) => l.maxWindow));
    const batches = portalAfter.batchCalls - portalBefore.batchCalls;
    const results = portalAfter.eventSendsAccepted - portalBefore.eventSendsAccepted;
    o.say(
      `${results} robot results went back in ${batches} batches (${(results / Math.max(1, batches)).toFixed(1)} per batch)`,
    );
    o.say(
      `${view.accepted} accepted in ${seconds.toFixed(1)} s, ${view.throttled} throttled (130429), busiest line-second ${maxWindow}; the simulators used ${(simShare * 100).toFixed(0)} % of a core`,
    );
    const cpuByProcess = cpuPerUnit(cpuBefore, cpuAfter, view.accepted);
    o.say(describeSplit(cpuByProcess, cpus().length, 'message'));
    const roundTrips = left > 0 ? await countRoundTrips(sys) : null;
    if (roundTrips) o.say(describeRoundTrips(roundTrips, 'message'));
    const msgsPerSec = view.accepted / seconds;
    return { msgsPerSec, maxWindow, cpuMsPerMessage: cpuByProcess.workers, cpuByProcess, roundTrips };
  } finally {
    await sys.close();
  }
}
