import type { Clock } from '../lib/clock';
import { type InboundMessage, timestampMs } from '../providers/inbound-message';
import type { WhatsAppProvider } from '../providers/provider';
import type { CustomerWindowStore } from '../store/customer-window-store';
import type { InboundFirstRead, InboundFirstReads, NoteUnder } from '../store/inbound-first-read';
import type { Line, LineStore } from '../store/line-store';

export interface FirstReadDeps {
  lines: Partial<Pick<LineStore, 'rememberedOwner' | 'rememberedLine'>>;
  /**
   * A customer message's reads before its first writes, in one round trip, for the line this process
   * remembers its number's route to (`lines.rememberedOwner`): the portal's config version (the line
   * is checked under it), the line's open-line attachment, the portal's subscription count and the
   * wait a tap names; and the customer's window note when the process's copy of the line is still
   * current. Without it (or a route), each is read (and the note written) on its own.
   */
  firstReads?: Pick<InboundFirstReads, 'read'>;
}

/** What a message's first read found, and for which line (a stale route's read counts for no other). */
export type FirstRead = Omit<InboundFirstRead, 'version'> & {
  owner: { memberId: string; lineId: string };
  /** The version for LineStore.findByPhoneNumberId's check of the route (none stored: it reads its own). */
  versionOf?: { memberId: string; version: string };
  /** The wait the message's button names, as read (openWait), for takeReply. */
  waitId?: string;
};

/** The window note a message of `line` would write (none: no customer, or no window on its line). */
export type NoteFor = (line: Line) => Omit<NoteUnder, 'version'> | undefined;

/**
 * A message's first read under the route this process remembers for its number. Undefined without a
 * route (or the store): the line's lookup then reads the version, and the job each other read, itself.
 * `waitId`: the wait a tap's button names (waits/button-id.ts). `noteFor`: the window note, written in
 * the same step when the process's copy of the remembered line is taken under the portal's version
 * of that moment (then the line the job finds is that very line); nothing else is written before the
 * job knows its line.
 */
export async function readFirst(
  deps: FirstReadDeps,
  phoneNumberId: string,
  waitId: string | undefined,
  noteFor: NoteFor,
): Promise<FirstRead | undefined> {
  const remembered = deps.lines.rememberedLine?.(phoneNumberId);
  const owner = remembered
    ? { memberId: remembered.line.memberId, lineId: remembered.line.id }
    : deps.lines.rememberedOwner?.(phoneNumberId);
  if (!owner || !deps.firstReads) return undefined;
  const ahead = remembered ? noteFor(remembered.line) : undefined;
  const note = remembered && ahead ? { ...ahead, version: remembered.version } : undefined;
  const read = await deps.firstReads.read(owner.memberId, owner.lineId, { waitId, note });
  const versionOf = read.version === null ? undefined : { memberId: owner.memberId, version: read.version };
  const { subscriptions, openWait, noted, attachment } = read;
  return { owner, versionOf, subscriptions, openWait, noted, attachment, waitId };
}

/**
 * The window note a customer's message writes (any message: a tap, a reaction, one a wait takes opens
 * the window anew, waba-wire.md §2); none for a system notice, on a line without windows or without stores.
 */
export function windowNote(
  deps: {
    clock: Clock;
    windows?: Pick<CustomerWindowStore, 'note'>;
    providerFor?: (line: Line) => Pick<WhatsAppProvider, 'capabilities'>;
  },
  line: Line,
  message: InboundMessage,
  receivedAt: number,
): Omit<NoteUnder, 'version'> | undefined {
  const hasWindow = deps.providerFor?.(line).capabilities.has('customer_window') ?? true;
  const customer = message.from ?? message.from_user_id ?? '';
  if (message.type === 'system' || !hasWindow || !deps.windows || !customer) return undefined;
  return { customer, atMs: timestampMs(message.timestamp, receivedAt), nowMs: deps.clock.now() };
}

/** The first read, when its route named `line` (a stale route's read is not this line's). */
export function firstReadOf(first: FirstRead | undefined, line: { memberId: string; id: string }): FirstRead | null {
  return first && first.owner.memberId === line.memberId && first.owner.lineId === line.id ? first : null;
}
