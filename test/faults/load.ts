import { z } from 'zod';
import type { RobotRun } from '../../simulators/bitrix24';
import type { SentMessage } from '../../simulators/whatsapp-cloud';
import type { FaultSystem } from './system';

/** One robot call of a scenario; `tag` names it in the message text, so every copy at the Cloud API is traced back. */
export interface PlannedRun {
  tag: number;
  kind: 'text' | 'wait';
  line: string;
  ifMaybeSent?: 'resend' | 'skip';
}

/** A robot call the web door accepted. */
export interface FiredRun extends PlannedRun {
  eventToken: string;
  /** Answers before the door accepted it (a 503 while Redis was down is tried again, as its own retry). */
  refused: number;
}

export const BUTTONS = ['Yes', 'No', 'Later'] as const;

/** The customer of a run: one phone per run, so no reply can be matched to another run's wait. */
export const phoneOf = (tag: number) => `7916${String(tag).padStart(7, '0')}`;

function properties(scenario: string, run: PlannedRun): Record<string, string | string[]> {
  const common = { phone: `+${phoneOf(run.tag)}`, line: run.line, if_maybe_sent: run.ifMaybeSent ?? 'resend' };
  if (run.kind === 'text') return { ...common, text: `[${scenario}:${run.tag}] Your order is ready` };
  return {
    ...common,
    body: `[${scenario}:${run.tag}] Can you come tomorrow?`,
    buttons: [...BUTTONS],
    wait_reply: 'Y',
    timeout: '24',
    timeout_unit: 'hours',
  };
}

/** One robot call at the web door as the portal makes it (`eventToken`: the same run again). */
export async function robotCall(
  sys: FaultSystem,
  scenario: string,
  plan: PlannedRun,
  dealId: number,
  eventToken?: string,
): Promise<{ status: number; ms: number; eventToken: string; body: string }> {
  const code = plan.kind === 'text' ? 'wa_send_text' : 'wa_send_buttons';
  const documentId: [string, string, string] = ['crm', 'CCrmDocumentDeal', `DEAL_${dealId}`];
  const started = Date.now();
  const result = await sys.portal.runRobot({ code, documentId, properties: properties(scenario, plan), eventToken });
  return {
    status: result.httpStatus,
    ms: Date.now() - started,
    eventToken: result.run.eventToken,
    body: result.responseBody,
  };
}

/**
 * Fires the robot calls at the web door as the portal does, `concurrency` at a time. A refused call
 * (503: Redis down) is sent again with the same event token until the door takes it or `deadline`.
 */
export async function fireRobots(
  sys: FaultSystem,
  scenario: string,
  plans: PlannedRun[],
  options: {
    concurrency: number;
    deadline: number;
    dealId: number;
    eventTokens?: Map<number, string>;
    /** Told each call the door took, as it takes it. */
    onFired?: (count: number) => void;
  },
): Promise<FiredRun[]> {
  const fired: FiredRun[] = [];
  let next = 0;
  const fireOne = async (plan: PlannedRun) => {
    let result = await robotCall(sys, scenario, plan, options.dealId, options.eventTokens?.get(plan.tag));
    let refused = 0;
    while (result.status !== 200) {
      if (result.status !== 503 || Date.now() > options.deadline)
        throw new Error(`robot call ${plan.tag}: HTTP ${result.status} ${result.body.slice(0, 200)}`);
      refused += 1;
      await new Promise((r) => setTimeout(r, 100));
      result = await robotCall(sys, scenario, plan, options.dealId, result.eventToken);
    }
    fired.push({ ...plan, eventToken: result.eventToken, refused });
    options.onFired?.(fired.length);
  };
  const lane = async () => {
    for (let plan = plans[next++]; plan; plan = plans[next++]) await fireOne(plan);
  };
  await Promise.all(Array.from({ length: options.concurrency }, lane));
  return fired;
}

const messageSchema = z.object({
  text: z.object({ body: z.string() }).optional(),
  interactive: z
    .object({
      body: z.object({ text: z.string() }),
      action: z.object({ buttons: z.array(z.object({ reply: z.object({ id: z.string(), title: z.string() }) })) }),
    })
    .optional(),
});

/** The run tag a message body sent to the Cloud API carries, and its reply buttons. */
export function readMessage(scenario: string, body: unknown): { tag: number; buttons: string[][] } | null {
  const parsed = messageSchema.safeParse(body);
  if (!parsed.success) return null;
  const text = parsed.data.text?.body ?? parsed.data.interactive?.body.text ?? '';
  const match = new RegExp(`^\\[${scenario}:(\\d+)\\]`).exec(text);
  if (!match?.[1]) return null;
  const buttons = (parsed.data.interactive?.action.buttons ?? []).map((b) => [b.reply.id, b.reply.title]);
  return { tag: Number(match[1]), buttons };
}

/** Every copy of each run's message that the Cloud API accepted, by tag. */
export function copiesByTag(sys: FaultSystem, scenario: string): Map<number, SentMessage[]> {
  const byTag = new Map<number, SentMessage[]>();
  for (const message of sys.whatsapp.sent()) {
    const read = readMessage(scenario, message.body);
    if (!read) continue;
    byTag.set(read.tag, [...(byTag.get(read.tag) ?? []), message]);
  }
  return byTag;
}

/** The customer taps a button of each wait's message once, through signed Cloud API webhooks. */
export interface Tapper {
  /** The button title tapped, by tag. */
  tapped: Map<number, string>;
  /** Webhook deliveries the app refused (tried again). */
  refused(): number;
  stop(): Promise<void>;
}

export function startTapper(sys: FaultSystem, scenario: string): Tapper {
  const tapped = new Map<number, string>();
  const pending: Array<{ message: SentMessage; tag: number; id: string; title: string }> = [];
  let seen = 0;
  let refused = 0;
  let running = true;
  const tapOne = async (tap: (typeof pending)[number]) => {
    const delivery = await sys.whatsapp.deliverInbound({
      phoneNumberId: tap.message.phoneNumberId,
      from: tap.message.to,
      message: { type: 'button_reply', id: tap.id, title: tap.title },
      contextId: tap.message.wamid,
    });
    if (delivery.status === 200) tapped.set(tap.tag, tap.title);
    else {
      // Meta delivers a refused webhook again later; so does the customer's tap here.
      refused += 1;
      pending.push(tap);
    }
  };
  const loop = async () => {
    while (running) {
      const sent = sys.whatsapp.sent();
      for (const message of sent.slice(seen)) {
        const read = readMessage(scenario, message.body);
        // The run's tag picks the button, so each answer is checked against the one tapped.
        const [id, title] = read?.buttons[read.tag % read.buttons.length] ?? [];
        if (read && id && title) pending.push({ message, tag: read.tag, id, title });
      }
      seen = sent.length;
      const tags = new Set<number>();
      const due = pending
        .splice(0, 20)
        .filter((tap) => !tapped.has(tap.tag) && !tags.has(tap.tag) && tags.add(tap.tag));
      await Promise.all(due.map(tapOne));
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const done = loop();
  return {
    tapped,
    refused: () => refused,
    async stop() {
      running = false;
      await done;
    },
  };
}

/** What the portal saw of the runs: answered, and how many `bizproc.event.send` each got. */
export function portalView(sys: FaultSystem, fired: FiredRun[]) {
  const runs = new Map(sys.portal.runs().map((r) => [r.eventToken, r]));
  const sends = new Map<string, { accepted: number; other: number }>();
  for (const send of sys.portal.eventSends()) {
    const counts = sends.get(send.eventToken) ?? { accepted: 0, other: 0 };
    if (send.outcome === 'accepted') counts.accepted += 1;
    else counts.other += 1;
    sends.set(send.eventToken, counts);
  }
  const runOf = (f: FiredRun): RobotRun | undefined => runs.get(f.eventToken);
  const unanswered = fired.filter((f) => runOf(f)?.status !== 'completed');
  return { runOf, sends, unanswered };
}
