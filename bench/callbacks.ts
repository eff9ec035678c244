import type { BenchResults } from './results';
import { startRuns } from './robot-calls';
import { startBenchSystem } from './system';
import { inLanes } from './windows';

export interface CallbacksOptions {
  count: number;
  say: (line: string) => void;
}

const LIMIT = { drainPerSec: 10, burst: 50 };
const PER_BATCH = 50;

/** The least time from the first batch to the last that the portal's bucket allows (it starts empty). */
export function minCallbackSeconds(count: number, limit: { drainPerSec: number; burst: number }): number {
  const batches = Math.ceil(count / PER_BATCH);
  return Math.max(0, batches - limit.burst) / limit.drainPerSec;
}

/**
 * `count` robot results queued in the outbox of one portal (as ending waits and sends queue them)
 * while no worker runs; then one worker delivers them: time from the first `batch` to the last,
 * against the portal's bucket, and the refusals the portal counted.
 */
export async function callbacksScenario(o: CallbacksOptions): Promise<BenchResults['callbacks']> {
  const sys = await startBenchSystem({ workers: 0, lines: 1, restLimit: LIMIT, lineRatePerSec: 80 });
  try {
    const installedAt = Date.now();
    const runs = await startRuns(sys, o.count);
    await inLanes(runs, 100, async (run) => {
      await sys.rt.outbox.enqueue(sys.memberId, {
        eventToken: run.eventToken,
        returnValues: { status: 'sent', message_id: 'wamid.bench' },
        logMessage: 'Message sent',
      });
    });
    // The install's registration batches filled the portal's bucket; the minimum assumes it empty,
    // so wait until it has drained (burst / drain seconds after the install).
    const drainedAt = installedAt + (LIMIT.burst / LIMIT.drainPerSec) * 1000 + 500;
    await new Promise((r) => setTimeout(r, Math.max(0, drainedAt - Date.now())));
    const before = await sys.sim.call({ cmd: 'portalStats' });
    await sys.startWorker();
    const deadline = Date.now() + 120_000;
    let stats = before;
    while (stats.eventSendsAccepted - before.eventSendsAccepted < o.count) {
      if (Date.now() > deadline)
        throw new Error(
          `callbacks: ${stats.eventSendsAccepted - before.eventSendsAccepted} of ${o.count} accepted after 120 s (${stats.eventSendsOther} refused)`,
        );
      await new Promise((r) => setTimeout(r, 200));
      stats = await sys.sim.call({ cmd: 'portalStats' });
    }
    const seconds = ((stats.lastEventSendAt ?? 0) - (stats.firstEventSendAt ?? 0)) / 1000;
    const minSeconds = minCallbackSeconds(o.count, LIMIT);
    const batches = stats.batchCalls - before.batchCalls;
    const refused = stats.queryLimitExceeded - before.queryLimitExceeded;
    o.say(
      `${o.count} callbacks in ${batches} batch calls, ${seconds.toFixed(2)} s (minimum ${minSeconds} s), ${refused} QUERY_LIMIT_EXCEEDED`,
    );
    return {
      count: o.count,
      seconds,
      min_seconds: minSeconds,
      ratio: minSeconds > 0 ? seconds / minSeconds : 1,
      per_batch: batches > 0 ? o.count / batches : 0,
      query_limit_exceeded: refused,
    };
  } finally {
    await sys.close();
  }
}
