import { pollUntil } from '../helpers/poll';
import type { AppProcess } from './app-process';
import { type HeldJob, jobsHeldBy, pickupKey, watchPickups } from './jobs';
import { fireRobots, type PlannedRun, startTapper } from './load';
import { awaitAnswers, outcomeOf, reportOutcome } from './outcome';
import { Checks, type Scenario, some, withParts } from './scenario';
import { type FaultSystem, startFaultSystem } from './system';

const SCENARIO = 'kill';
const SENDS = 1000;
const WAITS = 300;
/**
 * A kill when this many messages have reached the Cloud API, of the run's 1,300: early, middle and
 * late, while a backlog is left. The door takes the calls far faster than they are sent (907-1,126
 * of them were in at the 300th message), so a backlog is what keeps the workers busy. At 1,000 it
 * could be gone: the last messages were the jobs the earlier kills' workers held, run again together
 * once their locks lapsed and sent within moments, and the third kill found every worker idle for
 * 10 s (CI, 2026-12-03, once the workers' Redis writes were coalesced and they got faster).
 */
const KILL_AT = [250, 500, 750];
/** The crash window's promise: a dead worker's job runs again within this. */
const PICKUP_BOUND_MS = 10_000;

interface Kill {
  victim: AppProcess;
  at: number;
  held: HeldJob[];
  /** Robot calls the door had taken when the kill came. */
  callsIn: number;
  pickups: Promise<Map<string, number>>;
  replacement: Promise<AppProcess>;
}

/** The worker process holding the most run-action jobs now: a kill there cuts the most sends. */
async function busiestNow(sys: FaultSystem): Promise<{ worker: AppProcess; jobs: number }> {
  const load = new Map<string, number>();
  for (const job of await sys.rt.queues.runAction.getActive())
    if (job.processedBy) load.set(job.processedBy, (load.get(job.processedBy) ?? 0) + 1);
  const alive = sys.workers();
  const [first] = alive;
  if (!first) throw new Error('no worker process alive');
  const worker = alive.reduce((a, b) => ((load.get(b.workerName) ?? 0) > (load.get(a.workerName) ?? 0) ? b : a), first);
  return { worker, jobs: load.get(worker.workerName) ?? 0 };
}

/**
 * The live worker holding the most jobs, once one holds any (up to 10 s): between bursts every
 * live worker can hold none for a moment (CI saw a kill hit such a worker), and a kill then proves
 * nothing. Still none after that: that worker, and the scenario's check says so.
 */
async function busiest(sys: FaultSystem): Promise<AppProcess> {
  const until = Date.now() + 10_000;
  for (;;) {
    const { worker, jobs } = await busiestNow(sys);
    if (jobs > 0 || Date.now() >= until) return worker;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function killOne(sys: FaultSystem, callsIn: () => number): Promise<Kill> {
  const victim = await busiest(sys);
  const at = Date.now();
  await sys.killWorker(victim);
  // Its jobs stay active under its lock until the lock lapses: read them before that.
  const held = await jobsHeldBy(sys.rt, victim.workerName, SCENARIO);
  const replacement = sys.startWorker();
  return { victim, at, held, callsIn: callsIn(), replacement, pickups: watchPickups(sys.rt, held, at, 30_000) };
}

/** 1,300 robot calls (1,000 texts, 300 button waits the customer taps), three kill -9 of a worker process. */
export const killWorkers: Scenario = {
  name: `kill -9 of a worker process ${KILL_AT.length} times during ${SENDS} sends and ${WAITS} button waits`,
  async run(say) {
    const started = Date.now();
    // The portal's REST limit is the storm scenario's subject, not this one's: a generous one keeps
    // robots waiting for a REST slot from filling the workers, so what is measured is crash recovery.
    const sys = await startFaultSystem({ workers: 3, restLimit: { drainPerSec: 50, burst: 500 } });
    const checks = new Checks();
    try {
      const dealId = sys.portal.createDeal({ title: 'Fault test', stageId: 'NEW' });
      // Every 13 runs: 3 waits, 10 texts — interleaved, so kills cut both kinds.
      const plans: PlannedRun[] = Array.from({ length: SENDS + WAITS }, (_, tag) => ({
        tag,
        kind: tag % 13 < 3 ? 'wait' : 'text',
        line: 'main',
      }));
      const tapper = startTapper(sys, SCENARIO);
      let callsIn = 0;
      const firing = fireRobots(sys, SCENARIO, plans, {
        concurrency: 16,
        deadline: Date.now() + 120_000,
        dealId,
        onFired: (count) => {
          callsIn = count;
        },
      });
      const kills: Kill[] = [];
      for (const count of KILL_AT) {
        await pollUntil(() => sys.whatsapp.stats().accepted >= count, 90_000, `${count} messages at the Cloud API`, 20);
        kills.push(await killOne(sys, () => callsIn));
      }
      const fired = await firing;
      await awaitAnswers(sys, fired, 150_000, checks);
      await tapper.stop();
      await Promise.all(kills.map((k) => k.replacement));

      const o = outcomeOf(sys, SCENARIO, plans, fired, tapper);
      // In flight at a kill: a job the dead process held whose message had reached the Cloud API
      // before another worker took the job again — only those can be sent twice.
      const latencies: number[] = [];
      const inFlight: number[][] = [];
      for (const kill of kills) {
        const pickedAt = await kill.pickups.catch((error: unknown) => {
          checks.check(false, `kill of ${kill.victim.name}: ${String(error)}`);
          return new Map<string, number>();
        });
        latencies.push(Math.max(0, ...[...pickedAt.values()].map((t) => t - kill.at)));
        inFlight.push(
          kill.held
            .filter((job) => job.queue === sys.rt.queues.runAction.name && job.tag !== undefined)
            .filter((job) => {
              const again = pickedAt.get(pickupKey(job.queue, job.id)) ?? Number.POSITIVE_INFINITY;
              return (o.copies.get(job.tag ?? -1) ?? []).some((c) => c.receivedAt < again);
            })
            .map((job) => job.tag ?? -1),
        );
      }
      const inFlightTags = new Set(inFlight.flat());
      const { duplicated, duplicates } = o;

      reportOutcome(o, plans, fired, say, checks);
      say(
        `kills: ${kills.map((k) => `${k.victim.name} holding ${k.held.length} job(s), ${k.callsIn} of ${plans.length} calls in`).join('; ')}`,
      );
      say(`sends in flight at the kills (the bound on duplicates): ${withParts(inFlight.map((f) => f.length))}`);
      say(`killed workers' jobs taken again after: ${latencies.map((l) => `${l} ms`).join(', ')} (bound 10 s)`);
      say(`webhook taps refused and delivered again: ${tapper.refused()}; took ${Date.now() - started} ms`);

      checks.check(o.textsReported.length === SENDS, `${SENDS - o.textsReported.length} text(s) without a message id`);
      checks.check(
        duplicated.every(([tag]) => inFlightTags.has(tag)),
        `a run sent twice without being in flight at a kill: ${some(duplicated.map(([t]) => t).filter((t) => !inFlightTags.has(t)))}`,
      );
      const bound = inFlight.flat().length;
      checks.check(duplicates <= bound, `${duplicates} duplicates > ${bound} sends in flight at the kills`);
      checks.check(
        latencies.every((l) => l <= PICKUP_BOUND_MS),
        `a killed worker's job waited over ${PICKUP_BOUND_MS} ms: ${latencies.join(', ')} ms`,
      );
      checks.check(
        kills.every((k) => k.held.length > 0),
        'a kill hit a worker holding no job (nothing was proved)',
      );
      checks.settle(sys.outputs);
    } finally {
      await sys.close();
    }
  },
};
