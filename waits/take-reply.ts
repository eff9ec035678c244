import type { Clock } from '../lib/clock';
import { t } from '../lib/i18n/catalogue';
import type { Logger } from '../lib/logger';
import { type InboundMessage, replyText, timestampMs } from '../providers/inbound-message';
import type { OutboundMessage } from '../providers/provider';
import type { Line } from '../store/line-store';
import { decodeButtonId } from './button-id';
import { matchReply, type ReplyInput, type ReplyMatch } from './match-reply';
import { fromStored } from './stored-wait-read';
import type { EndByReply } from './wait-ender';
import { answeredOutcome, type ZonedWait } from './wait-outcomes';
import type { Wait, WaitEnd } from './wait-schema';
import type { WaitOutcome, WaitStore } from './wait-store';

/** What the inbound job gives a reply along (`takeReply` says what each is). */
export interface TakeReplyOptions {
  ready?: Promise<void>;
  retried?: boolean;
  subscribed?: Promise<boolean>;
  lateSubscriber?: () => Promise<unknown>;
  /**
   * The portal's config version as of the job's start: the answer's time zone is the one of then (a
   * settings change while the stage is read shows from the next reply on), or newer when this
   * process holds no copy of the portal under it (PortalStore.get reads and keeps the current one).
   */
  portalVersion?: string;
  namedWait?: { waitId: string; stored: string };
}

/** The id of the button or list choice a message taps (a template button's payload), if any. */
function choiceIdOf(message: InboundMessage): string | undefined {
  return message.interactive?.button_reply?.id ?? message.interactive?.list_reply?.id ?? message.button?.payload;
}

/** The wait a message's tapped button names (our button ids carry it), if any: read ahead by the inbound job. */
export function namedWaitId(message: InboundMessage): string | undefined {
  const choiceId = choiceIdOf(message);
  return choiceId ? decodeButtonId(choiceId)?.waitId : undefined;
}

/** What a reply waits for before it touches a wait, and the job's read of the portal's subscriptions. */
type Before = Required<Pick<TakeReplyOptions, 'ready'>> &
  Pick<TakeReplyOptions, 'subscribed' | 'lateSubscriber' | 'portalVersion'>;

type Answer = Pick<Extract<ReplyMatch, { matched: true }>, 'answer' | 'answerIndex' | 'answerId'>;

/** What taking a reply uses: the store, and the wait service's own ending and stage check. */
export interface ReplyTakerDeps {
  store: Pick<WaitStore, 'get' | 'findByMessage' | 'openForPhone' | 'countReask' | 'waitEndedBy'>;
  /**
   * Writes the portal into the global index of due callbacks (idempotent): a retried reply whose
   * wait end ran but whose index write may not have.
   */
  reindex: (memberId: string) => Promise<void>;
  clock: Clock;
  log: Logger;
  end: (
    wait: Wait,
    status: WaitEnd,
    reason: string,
    outcome: WaitOutcome | null,
    reply?: EndByReply,
  ) => Promise<boolean>;
  robotStillOnStage: (wait: Wait) => Promise<boolean>;
  sendReask: (line: Line, message: OutboundMessage) => Promise<unknown>;
  /** The wait with its portal's time zone, for the answer's time (`portalVersion`: read under it). */
  zoned: (wait: Wait, portalVersion?: string) => Promise<ZonedWait>;
}

/** Does this message answer that wait (by its buttons and options)? */
const matchFor = (wait: Wait, input: ReplyInput) => matchReply(wait.buttons, wait.options, input);

/**
 * Offers an inbound message to the waits of the line it came in on (never another portal's):
 * (a) a button/list/payload id naming a wait, (b) context.id = the wait's message,
 * (c) text matching a button/keyword/regex of the newest open wait, (d) "any reply" waits.
 * True when a wait took it.
 */
export function createReplyTaker(deps: ReplyTakerDeps) {
  const { store } = deps;

  async function resolveReply(
    wait: Wait,
    match: Answer,
    message: InboundMessage,
    note: string,
    before: Before,
  ): Promise<boolean> {
    await before.ready;
    // The portal's time zone only once the robot is known to be on its stage: a robot that left it
    // ends cancelled (inside robotStillOnStage) and needs no answer time.
    if (!(await deps.robotStillOnStage(wait))) return false;
    const zoned = await deps.zoned(wait, before.portalVersion);
    const at = timestampMs(message.timestamp, deps.clock.now());
    const outcome = answeredOutcome(zoned, match, replyText(message), message.id, at, note);
    // Its `wait.ended` is built when the job found subscriptions (resolved with `ready`): the end
    // script counts them in the same step as the claim and asks for the event when it was not built
    // (one added while the stage was read still hears of it; WaitEnder).
    const subscribed = await before.subscribed?.catch(() => undefined);
    const reply = { messageId: message.id, subscribed, beforeEvent: before.lateSubscriber };
    return deps.end(wait, 'answered', 'reply', outcome, reply);
  }

  /** An answer that fits no option: re-ask (button and keyword modes), then ignore or end, as configured. */
  async function offScript(wait: Wait, line: Line, message: InboundMessage, before: Before): Promise<boolean> {
    await before.ready;
    const { options } = wait;
    if (options.mode !== 'button' && options.mode !== 'keywords') return false;
    if (!(await deps.robotStillOnStage(wait))) return false;
    const reask = await store.countReask(wait.memberId, wait.id, options.reaskMax, message.id);
    if (reask !== 'none') {
      const fallback = t(wait.lang, 'customer.reask');
      const content = { type: 'text' as const, body: options.reaskText || fallback };
      await deps.sendReask(line, { to: wait.phone, content, replyTo: wait.messageId || undefined });
      deps.log.info({ waitId: wait.id, messageId: message.id }, 'off-script answer: asked again');
      return false;
    }
    if (options.afterReask !== 'end') return false;
    const note = t(wait.lang, 'note.off_script');
    return resolveReply(wait, { answer: '', answerIndex: 0, answerId: '' }, message, note, before);
  }

  /** The wait a tap names: as the job's first read found it (`read`), else read now. */
  async function waitNamed(line: Line, waitId: string, read: string | undefined): Promise<Wait | null> {
    return read === undefined ? store.get(line.memberId, waitId) : fromStored(line.memberId, waitId, read);
  }

  /** Open waits of the customer under any of their ids, newest first, each once. */
  async function openForCustomer(line: Line, ids: string[]): Promise<Wait[]> {
    const [first, ...others] = ids;
    const found = first ? await store.openForPhone(line.memberId, line.id, first) : [];
    if (!others.length) return found;
    for (const id of others) found.push(...(await store.openForPhone(line.memberId, line.id, id)));
    const unique = [...new Map(found.map((w) => [w.id, w])).values()];
    return unique.sort((a, b) => b.createdAt - a.createdAt);
  }

  /**
   * `ready`: what must be done before a wait is touched (the message's own first writes, its
   * `message.received`), so the waits' reads can go out beside them; no wait is ended, re-asked or
   * found off its stage before it resolves. `retried`: the job ran before (its claim is looked for
   * first). `subscribed`: the job's own read of the portal's outbound-event subscriptions;
   * `lateSubscriber`: what the job tells one added since, before the wait's end (EndByReply.beforeEvent).
   * `portalVersion`: the config version of the line's portal the job read at its start (the line was
   * checked under it): the portal's time zone is read under it, not after one more GET. `namedWait`:
   * the wait the tap names as the job's first read found it among the open waits (read beside the
   * other first reads, as the read here would be; a wait not found there is read here).
   */
  return async function takeReply(
    line: Line,
    message: InboundMessage,
    options: TakeReplyOptions = {},
  ): Promise<boolean> {
    // Parsed once, by the inbound processor (the one caller): its type says so.
    const ready = options.ready ?? Promise.resolve();
    const { subscribed, lateSubscriber, portalVersion } = options;
    const before: Before = { ready, subscribed, lateSubscriber, portalVersion };
    // A retry after its wait end ran (the index write failed, the worker died): its wait is no longer
    // open, but the claim says the reply was taken. Taken it stays, and the index is written again.
    if (options.retried && (await store.waitEndedBy(line.memberId, message.id)) !== null) {
      await ready;
      await deps.reindex(line.memberId);
      return true;
    }
    // The customer's number and, since 2026, their business-scoped user id (whatsapp-wire.md §0.1):
    // a wait opened for a BSUID customer (no phone shared) is theirs by the user id.
    const customer = [message.from, message.from_user_id].filter((id): id is string => Boolean(id));
    const onThisLine = (w: Wait | null): w is Wait =>
      w !== null &&
      w.status === 'open' &&
      w.purpose === 'reply' &&
      w.lineId === line.id &&
      // Only the ids the message carries: a BSUID-only message never takes a wait opened for a number.
      customer.some((id) => w.phone === id || w.waId === id);
    const choiceId = choiceIdOf(message);
    const contextId = message.context?.id;
    const named = choiceId ? decodeButtonId(choiceId) : null;
    const tapped = choiceId && !named && contextId ? await store.findByMessage(line.memberId, contextId) : null;
    // A tap on a message no wait of ours sent (a template or plain buttons sent without a wait) is
    // an ordinary reply: its text goes on to (c, d), so "any reply" waits hear it.
    const ours = named !== null || tapped?.purpose === 'reply';
    const input = { choiceId: ours ? choiceId : undefined, text: replyText(message), type: message.type };
    // (a) A tap answers the message it belongs to, or nothing: an old button never resumes another robot.
    if (ours) {
      const read = named && options.namedWait?.waitId === named.waitId ? options.namedWait.stored : undefined;
      const wait = named ? await waitNamed(line, named.waitId, read) : tapped;
      if (!onThisLine(wait)) return false;
      const match = matchFor(wait, input);
      return match.matched ? resolveReply(wait, match, message, '', before) : false;
    }
    // (b) A reply quoting a message that asked for a reply goes to that wait, or nowhere
    // (quoting a message that only waited for its delivery says nothing about any question).
    const quoted = contextId && !choiceId ? await store.findByMessage(line.memberId, contextId) : null;
    if (quoted && quoted.purpose === 'reply') {
      if (!onThisLine(quoted)) return false;
      const match = matchFor(quoted, input);
      return match.matched
        ? resolveReply(quoted, match, message, '', before)
        : offScript(quoted, line, message, before);
    }
    // (c, d) Text: the newest open wait of this (line, phone) whose options it fits.
    if (!customer.length) return false;
    const open = (await openForCustomer(line, customer)).filter((w) => w.purpose === 'reply');
    for (const wait of open) {
      const match = matchFor(wait, input);
      if (!match.matched) continue;
      const note = open.length <= 1 ? '' : t(wait.lang, 'note.newest_of_waits', { count: open.length });
      // Ended meanwhile (stage moved, a race): the next open wait may still take it.
      if (await resolveReply(wait, match, message, note, before)) return true;
    }
    const [newest] = open;
    return newest ? offScript(newest, line, message, before) : false;
  };
}
