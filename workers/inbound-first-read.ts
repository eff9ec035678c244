import type { InboundFirstRead, InboundFirstReads } from '../store/inbound-first-read';
import type { LineStore } from '../store/line-store';

export interface FirstReadDeps {
  lines: Partial<Pick<LineStore, 'rememberedOwner'>>;
  /**
   * A customer message's reads before its first writes, in one round trip, for the line this process
   * remembers its number's route to (`lines.rememberedOwner`): the portal's config version (the line
   * is checked under it), the line's open-line attachment, the portal's subscription count and the
   * wait a tap names. Without it (or a route), each is read on its own.
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

/**
 * A message's first read under the route this process remembers for its number. Undefined without a
 * route (or the store): the line's lookup then reads the version, and the job each other read, itself.
 * Reads only: nothing of the message is written before its line is known. `waitId`: the wait a
 * tap's button names (waits/button-id.ts).
 */
export async function readFirst(
  deps: FirstReadDeps,
  phoneNumberId: string,
  waitId: string | undefined,
): Promise<FirstRead | undefined> {
  const owner = deps.lines.rememberedOwner?.(phoneNumberId);
  if (!owner || !deps.firstReads) return undefined;
  const read = await deps.firstReads.read(owner.memberId, owner.lineId, waitId);
  const versionOf = read.version === null ? undefined : { memberId: owner.memberId, version: read.version };
  const { subscriptions, openWait, attachment } = read;
  return { owner, versionOf, subscriptions, openWait, attachment, waitId };
}

/** The first read, when its route named `line` (a stale route's read is not this line's). */
export function firstReadOf(first: FirstRead | undefined, line: { memberId: string; id: string }): FirstRead | null {
  return first && first.owner.memberId === line.memberId && first.owner.lineId === line.id ? first : null;
}
