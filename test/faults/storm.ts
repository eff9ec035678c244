import { injectRestFault } from '../../simulators/bitrix24/rest-faults';
import type { SendAttempt } from '../../simulators/whatsapp-cloud';
import { pollUntil } from '../helpers/poll';
import { fireRobots, type PlannedRun, readMessage, startTapper } from './load';
import { awaitAnswers, outcomeOf, reportOutcome } from './outcome';
import { Checks, type Scenario, some } from './scenario';
import { type FaultSystem, startFaultSystem } from './system';

const SCENARIO = 'storm';
/** Runs on the line whose robots resend a maybe-sent message (the default): 240 texts and 60 waits. */
const MAIN = 300;
/** Runs on the line whose robots say `if_maybe_sent = skip`. */
const SKIP = 60;
/** The app refreshes a portal's token at most once per 10 s: the second expiry comes after that. */
const REFRESH_FLOOR_MS = 12_000;
/** The bursts: [code, HTTP status, times, after acceptance] per line. */
const GRAPH_BURSTS = {
  start: {
    main: [[130429, 429, 20, false]],
    skip: [[130429, 429, 10, false]],
  },
  middle: {
    main: [
      [131000, 500, 10, false],
      [131000, 500, 8, true],
      [4, 429, 15, false],
    ],
    skip: [[131000, 500, 6, true]],
  },
} as const;

type Burst = readonly (readonly [number, number, number, boolean])[];

function injectGraph(sys: FaultSystem, bursts: { main: Burst; skip: Burst }) {
  const [main, skip] = sys.lines;
  if (!main || !skip) throw new Error('two lines expected');
  for (const [line, list] of [
    [main, bursts.main],
    [skip, bursts.skip],
  ] as const)
    for (const [code, httpStatus, times, afterAccept] of list)
      sys.whatsapp.failNext({ code, httpStatus, times, afterAccept, phoneNumberId: line.phoneNumberId });
}

const injected = (kind: 'main' | 'skip', afterAccept: boolean) =>
  [...GRAPH_BURSTS.start[kind], ...GRAPH_BURSTS.middle[kind]]
    .filter(([, , , after]) => after === afterAccept)
    .reduce((n, [, , times]) => n + times, 0);

/** Graph 130429/429/500 bursts (some 500s after the message was accepted), portal QUERY_LIMIT_EXCEEDED and expired tokens. */
export const providerStorm: Scenario = {
  name: `provider and portal storm: ${MAIN + SKIP} robot calls under Graph 130429/429/500 and portal QUERY_LIMIT_EXCEEDED/expired_token bursts`,
  async run(say) {
    const started = Date.now();
    const sys = await startFaultSystem({ workers: 2, lineIds: ['main', 'skip'] });
    const checks = new Checks();
    try {
      const dealId = sys.portal.createDeal({ title: 'Fault test', stageId: 'NEW' });
      const plans: PlannedRun[] = [
        ...Array.from(
          { length: MAIN },
          (_, tag): PlannedRun => ({
            tag,
            kind: tag % 5 === 0 ? 'wait' : 'text',
            line: 'main',
          }),
        ),
        ...Array.from(
          { length: SKIP },
          (_, i): PlannedRun => ({
            tag: MAIN + i,
            kind: 'text',
            line: 'skip',
            ifMaybeSent: 'skip',
          }),
        ),
      ];
      // Both halves mix the lines, so each burst meets both kinds of robot.
      const first = plans.filter((p) => p.tag % 2 === 0);
      const second = plans.filter((p) => p.tag % 2 === 1);
      const tapper = startTapper(sys, SCENARIO);
      const deadline = Date.now() + 150_000;
      const fire = (half: PlannedRun[]) => fireRobots(sys, SCENARIO, half, { concurrency: 8, deadline, dealId });

      injectGraph(sys, GRAPH_BURSTS.start);
      injectRestFault(sys.portal.state, { code: 'QUERY_LIMIT_EXCEEDED', times: 10 });
      // The install's own token exchange counts too: count the refreshes the expiries cause.
      const refreshesBefore = sys.portal.stats().refreshes;
      sys.portal.expireAccessToken();
      const firing = fire(first);
      await pollUntil(() => sys.whatsapp.stats().accepted >= 80, 60_000, '80 messages sent', 20);
      injectGraph(sys, GRAPH_BURSTS.middle);
      const firedFirst = await firing;
      await pollUntil(() => sys.portal.stats().refreshes > refreshesBefore, 60_000, 'the token refreshed', 20);
      // A token is refused only after it has lived longer than the app's refresh floor: one refused
      // sooner would be a portal refusing fresh tokens (marked needs_reinstall, as it should be).
      const refreshedAt = Date.now();
      await pollUntil(() => Date.now() - refreshedAt >= REFRESH_FLOOR_MS, 30_000, 'the refresh floor passed', 50);
      sys.portal.expireAccessToken();
      injectRestFault(sys.portal.state, { code: 'QUERY_LIMIT_EXCEEDED', times: 6, method: 'batch' });
      const fired = [...firedFirst, ...(await fire(second))];
      await awaitAnswers(sys, fired, 150_000, checks);
      await tapper.stop();

      const o = outcomeOf(sys, SCENARIO, plans, fired, tapper);
      reportOutcome(o, plans, fired, say, checks);
      const attempts = sys.whatsapp.attempts();
      const tagOf = (a: SendAttempt) => readMessage(SCENARIO, a.body)?.tag;
      // Accepted and answered 500 all the same: the only sends the app cannot know went out.
      const acceptedThen500 = new Map<number, number>();
      for (const a of attempts.filter((x) => x.httpStatus >= 500 && x.wamid)) {
        const tag = tagOf(a);
        if (tag !== undefined) acceptedThen500.set(tag, (acceptedThen500.get(tag) ?? 0) + 1);
      }
      const byStatus = new Map<string, number>();
      for (const a of attempts.filter((x) => x.httpStatus !== 200)) {
        const key = `HTTP ${a.httpStatus} (#${a.errorCode})${a.wamid ? ' after acceptance' : ''}`;
        byStatus.set(key, (byStatus.get(key) ?? 0) + 1);
      }
      const mainTags = plans.filter((p) => p.line === 'main').map((p) => p.tag);
      const skipRuns = fired.filter((f) => f.line === 'skip');
      const wrongCopies = mainTags.filter((t) => (o.copies.get(t)?.length ?? 0) !== 1 + (acceptedThen500.get(t) ?? 0));
      const skipTwice = skipRuns.filter((f) => (o.copies.get(f.tag)?.length ?? 0) !== 1).map((f) => f.tag);
      const skipUnknown = skipRuns.filter((f) => acceptedThen500.has(f.tag));
      const skipReportedUnknown = skipUnknown.filter(
        (f) => o.valuesOf(f)?.message_id === '' && /delivery unknown/.test(o.view.runOf(f)?.logMessage ?? ''),
      );
      const skipKnown = skipRuns.filter((f) => !acceptedThen500.has(f.tag));
      const skipKnownReported = skipKnown.filter((f) => o.textsReported.includes(f));
      const answeredTwice = fired.filter((f) => {
        const sends = o.view.sends.get(f.eventToken);
        return sends?.accepted !== 1 || sends.other !== 0;
      });
      const portal = sys.portal.stats();

      for (const [what, n] of [...byStatus].sort()) say(`Graph answered ${what}: ${n}`);
      say(
        `portal: QUERY_LIMIT_EXCEEDED ${portal.queryLimitExceeded}; refreshes for the 2 expired tokens: ${portal.refreshes - refreshesBefore}`,
      );
      say(`sent after acceptance-then-500: main line ${sumFor(acceptedThen500, mainTags)} → resent as duplicates`);
      say(`skip line: ${skipUnknown.length} run(s) whose send was accepted then answered 500 → not resent`);
      say(`runs answered exactly once at the portal: ${fired.length - answeredTwice.length} of ${fired.length}`);
      say(`took ${Date.now() - started} ms`);

      checks.check(answeredTwice.length === 0, `answered other than once: ${some(answeredTwice.map((f) => f.tag))}`);
      checks.check(wrongCopies.length === 0, `main-line runs whose copies ≠ 1 + accepted 500s: ${some(wrongCopies)}`);
      checks.check(o.duplicates === sumFor(acceptedThen500, mainTags), 'duplicates other than the accepted 500s');
      checks.check(skipTwice.length === 0, `skip-line runs not sent exactly once: ${some(skipTwice)}`);
      checks.check(skipReportedUnknown.length === skipUnknown.length, 'a skipped run not reported "delivery unknown"');
      checks.check(skipKnownReported.length === skipKnown.length, 'a skip-line run without its message id');
      checks.check(
        o.textsReported.length === o.texts.length - skipUnknown.length,
        `${o.texts.length - skipUnknown.length - o.textsReported.length} text(s) without their message id`,
      );
      // The storm really happened: every injected burst was answered.
      checks.check(
        sumFor(acceptedThen500, mainTags) === injected('main', true) && skipUnknown.length === injected('skip', true),
        'not every accepted-then-500 burst was used',
      );
      checks.check(portal.queryLimitExceeded >= 16, `only ${portal.queryLimitExceeded} QUERY_LIMIT_EXCEEDED`);
      const refreshes = portal.refreshes - refreshesBefore;
      checks.check(refreshes === 2, `${refreshes} token refresh(es) for 2 expired tokens`);
      checks.settle(sys.outputs);
    } finally {
      await sys.close();
    }
  },
};

function sumFor(counts: Map<number, number>, tags: number[]): number {
  return tags.reduce((n, t) => n + (counts.get(t) ?? 0), 0);
}
