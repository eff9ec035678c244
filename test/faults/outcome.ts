import { pollUntil } from '../helpers/poll';
import { copiesByTag, type FiredRun, type PlannedRun, portalView, type Tapper } from './load';
import { type Checks, some } from './scenario';
import type { FaultSystem } from './system';

/** Waits (bounded) until the portal has an answer for every accepted robot call; a check fails otherwise. */
export async function awaitAnswers(sys: FaultSystem, fired: FiredRun[], timeoutMs: number, checks: Checks) {
  let view = portalView(sys, fired);
  try {
    await pollUntil(
      () => {
        view = portalView(sys, fired);
        return view.unanswered.length === 0;
      },
      timeoutMs,
      'every robot answered',
      250,
    );
  } catch (error) {
    const left = view.unanswered.map((f) => `${f.kind}#${f.tag}`);
    checks.check(false, `${view.unanswered.length} robot(s) never answered: ${some(left)} (${String(error)})`);
  }
  return view;
}

/** What the Cloud API and the portal saw of a scenario's runs, once every robot was answered. */
export function outcomeOf(sys: FaultSystem, scenario: string, plans: PlannedRun[], fired: FiredRun[], tapper: Tapper) {
  const view = portalView(sys, fired);
  const copies = copiesByTag(sys, scenario);
  const unsent = plans.filter((p) => !copies.has(p.tag)).map((p) => p.tag);
  const duplicated = [...copies].filter(([, c]) => c.length > 1);
  const valuesOf = (f: FiredRun) => view.runOf(f)?.returnValues;
  const waits = fired.filter((f) => f.kind === 'wait');
  const texts = fired.filter((f) => f.kind === 'text');
  const waitsAnswered = waits.filter((f) => {
    const values = valuesOf(f);
    return values?.status === 'answered' && values.answer === tapper.tapped.get(f.tag);
  });
  const wamidsOf = (tag: number) => (copies.get(tag) ?? []).map((c) => c.wamid);
  const textsReported = texts.filter((f) => {
    const values = valuesOf(f);
    return values?.status === 'sent' && wamidsOf(f.tag).includes(String(values.message_id));
  });
  return {
    view,
    portalStats: sys.portal.stats(),
    copies,
    unsent,
    duplicated,
    duplicates: duplicated.reduce((n, [, c]) => n + c.length - 1, 0),
    waits,
    texts,
    waitsAnswered,
    textsReported,
    valuesOf,
    /** `bizproc.event.send` beyond the first accepted one per run (the portal ignores them). */
    callbackRepeats: [...view.sends.values()].reduce((n, s) => n + s.other + Math.max(0, s.accepted - 1), 0),
    /** Runs whose robot log says a retry found "maybe sent" (texts: a wait's log is its outcome's). */
    maybeSentNotes: fired.filter((f) => /may have left before a failure/.test(view.runOf(f)?.logMessage ?? '')),
  };
}

export type Outcome = ReturnType<typeof outcomeOf>;

/** The counts every scenario prints, and the checks every scenario makes: nothing unsent, lost or unanswered. */
export function reportOutcome(
  o: Outcome,
  plans: PlannedRun[],
  fired: FiredRun[],
  say: (line: string) => void,
  checks: Checks,
): void {
  say(`robot calls accepted: ${fired.length}; answered: ${fired.length - o.view.unanswered.length}`);
  say(`messages: ${o.copies.size} of ${plans.length} sent at least once; unsent: ${o.unsent.length}`);
  say(`duplicates: ${o.duplicates}${o.duplicated.length ? ` (runs ${some(o.duplicated.map(([t]) => t))})` : ''}`);
  say(`waits answered with the tapped button: ${o.waitsAnswered.length} of ${o.waits.length}`);
  say(`texts reported sent with their message id: ${o.textsReported.length} of ${o.texts.length}`);
  say(`retries that found "maybe sent" (said in the robot log): ${o.maybeSentNotes.length}`);
  say(`bizproc.event.send repeated (the portal ignores a second answer): ${o.callbackRepeats}`);
  const portal = o.portalStats;
  say(
    `portal REST: ${portal.restRequests} requests (${portal.batchCalls} batch), ${portal.queryLimitExceeded} QUERY_LIMIT_EXCEEDED, ${portal.refreshes} token refresh(es)`,
  );
  checks.check(fired.length === plans.length, `${plans.length - fired.length} robot call(s) never accepted`);
  checks.check(o.view.unanswered.length === 0, `${o.view.unanswered.length} robot(s) unanswered`);
  checks.check(o.unsent.length === 0, `unsent runs: ${some(o.unsent)}`);
  checks.check(o.waitsAnswered.length === o.waits.length, `${o.waits.length - o.waitsAnswered.length} wait(s) lost`);
}
