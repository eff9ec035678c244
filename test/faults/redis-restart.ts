import { pollUntil } from '../helpers/poll';
import { fireRobots, type PlannedRun, phoneOf, robotCall, startTapper } from './load';
import { awaitAnswers, outcomeOf, reportOutcome } from './outcome';
import { Checks, type Scenario } from './scenario';
import { startFaultSystem } from './system';

const SCENARIO = 'redis';
const RUNS = 500;
/** Redis is stopped once this many messages have gone out: the workers are busy sending. */
const RESTART_AT = 120;
/** How long Redis stays down: under the job lock (5 s), so live workers' jobs keep their locks. */
const DOWN_MS = 1500;
/** Doors must answer this fast while Redis is down (a 503, not a hanging request). */
const ANSWER_BOUND_MS = 1000;
const RECOVERY_BOUND_MS = 10_000;

interface Probe {
  door: string;
  status: number;
  ms: number;
}

/** Asks each door once while Redis is down: a robot call (a real run, sent again later), a webhook, /healthz. */
async function probeDoors(
  sys: Awaited<ReturnType<typeof startFaultSystem>>,
  plan: PlannedRun,
  dealId: number,
): Promise<{ probes: Probe[]; eventToken: string }> {
  const robot = await robotCall(sys, SCENARIO, plan, dealId);
  const [line] = sys.lines;
  if (!line) throw new Error('no line');
  let started = Date.now();
  const webhook = await sys.whatsapp.deliverInbound({
    phoneNumberId: line.phoneNumberId,
    from: phoneOf(900_000 + plan.tag),
    message: { type: 'text', text: 'hello?' },
  });
  const webhookMs = Date.now() - started;
  started = Date.now();
  const health = await fetch(`${sys.appUrl}/healthz`).then((r) => r.status);
  const probes = [
    { door: 'robot', status: robot.status, ms: robot.ms },
    { door: 'whatsapp webhook', status: webhook.status, ms: webhookMs },
    { door: 'healthz', status: health, ms: Date.now() - started },
  ];
  return { probes, eventToken: robot.eventToken };
}

/** Redis (AOF on) restarted while the workers send: nothing lost, doors 503 fast while it is down, recovery by itself. */
export const redisRestart: Scenario = {
  name: `Redis restart (AOF) under load: ${RUNS} robot calls, ${DOWN_MS} ms down`,
  async run(say) {
    const started = Date.now();
    const sys = await startFaultSystem({ workers: 2, restLimit: { drainPerSec: 5, burst: 250 } });
    const checks = new Checks();
    try {
      const dealId = sys.portal.createDeal({ title: 'Fault test', stageId: 'NEW' });
      const plans: PlannedRun[] = Array.from({ length: RUNS }, (_, tag) => ({
        tag,
        kind: tag % 5 === 0 ? 'wait' : 'text',
        line: 'main',
      }));
      const tapper = startTapper(sys, SCENARIO);
      const deadline = Date.now() + 120_000;
      const before = plans.slice(0, RUNS / 2);
      const firedBefore = await fireRobots(sys, SCENARIO, before, { concurrency: 8, deadline, dealId });
      await pollUntil(() => sys.whatsapp.stats().accepted >= RESTART_AT, 60_000, `${RESTART_AT} messages sent`, 20);

      // The second half: its first runs are the robot calls that reach the door while Redis is down.
      const after = plans.slice(RUNS / 2);
      const probes: Probe[] = [];
      const eventTokens = new Map<number, string>();
      const downAt = Date.now();
      let upAt = 0;
      await sys.redisServer.restart(async () => {
        for (const plan of after) {
          if (Date.now() - downAt >= DOWN_MS) break;
          const probed = await probeDoors(sys, plan, dealId);
          probes.push(...probed.probes);
          eventTokens.set(plan.tag, probed.eventToken);
        }
      });
      upAt = Date.now();
      // Recovery needs nobody: the web process reconnects by itself.
      await pollUntil(
        async () => (await fetch(`${sys.appUrl}/healthz`).catch(() => null))?.ok,
        RECOVERY_BOUND_MS,
        'the web process to answer /healthz again',
        50,
      );
      const recoveredMs = Date.now() - upAt;
      const firedAfter = await fireRobots(sys, SCENARIO, after, { concurrency: 8, deadline, dealId, eventTokens });
      const fired = [...firedBefore, ...firedAfter];
      await awaitAnswers(sys, fired, 120_000, checks);
      await tapper.stop();

      const o = outcomeOf(sys, SCENARIO, plans, fired, tapper);
      reportOutcome(o, plans, fired, say, checks);
      const slowest = (door: string) => Math.max(0, ...probes.filter((p) => p.door === door).map((p) => p.ms));
      const statuses = (door: string) => [...new Set(probes.filter((p) => p.door === door).map((p) => p.status))];
      for (const door of ['robot', 'whatsapp webhook', 'healthz'])
        say(`while down, ${door}: HTTP ${statuses(door).join('/')} in ≤ ${slowest(door)} ms`);
      say(
        `Redis stopped, probed ${DOWN_MS} ms and started again: ${upAt - downAt} ms; probes of each door: ${probes.length / 3}`,
      );
      say(`web process answering /healthz again ${recoveredMs} ms after Redis came back (bound 10 s)`);
      say(
        `robot calls refused while down and made again: ${eventTokens.size}; webhook taps refused: ${tapper.refused()}`,
      );
      say(`took ${Date.now() - started} ms`);

      checks.check(probes.length > 0, 'no door was asked while Redis was down');
      checks.check(
        probes.every((p) => p.status === 503 && p.ms <= ANSWER_BOUND_MS),
        `a door did not answer 503 within ${ANSWER_BOUND_MS} ms: ${JSON.stringify(probes.filter((p) => p.status !== 503 || p.ms > ANSWER_BOUND_MS))}`,
      );
      checks.check(o.duplicates === 0, `${o.duplicates} message(s) sent twice`);
      checks.check(o.textsReported.length === o.texts.length, 'a text robot without its message id');
      checks.settle(sys.outputs);
    } finally {
      await sys.close();
    }
  },
};
