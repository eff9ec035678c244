import { z } from 'zod';
import type { RedisClient } from '../redis/connect';
import type { RedisKeys } from '../redis/keys';
import { run } from '../redis/scripts';
import { WINDOW_KEEP_SEC } from './customer-window-store';
import { type AttachmentWithVersion, parseAttachment } from './open-line-store';

/** inbound-first-read-6's reply: version, attachment JSON, subscriptions, the wait's JSON, 1 when noted. */
const firstReadReplySchema = z.tuple([
  z.string().nullable(),
  z.string().nullable(),
  z.number().int().nonnegative(),
  z.string().nullable(),
  z.union([z.literal(0), z.literal(1)]),
]);

/**
 * AttachmentWithVersion, how many outbound-event subscriptions the portal has (HookEmitter.subscribed),
 * the tapped wait as the index of open waits held it (null: not there, or none asked for) and
 * whether the customer's window was noted (CustomerWindowStore.note's write, done here).
 */
export interface InboundFirstRead extends AttachmentWithVersion {
  subscriptions: number;
  openWait: string | null;
  noted: boolean;
}

/** The window note to write in the same step, only while the portal's config version is still `version`. */
export interface NoteUnder {
  version: string;
  customer: string;
  atMs: number;
  nowMs: number;
}

type Keys = Pick<
  RedisKeys,
  | 'configVersion'
  | 'openLineAttachments'
  | 'hookSubscriptions'
  | 'waitIndex'
  | 'waitIndexWaitField'
  | 'customerWindow'
  | 'windowTracking'
>;

/**
 * A customer message's reads before its first writes, and its window note, in one script
 * (inbound-first-read-6.lua): the inbound job under a route its process remembers, one round trip.
 */
export class InboundFirstReads {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: Keys,
  ) {}

  /** `waitId`: the wait a tap's button names (its index field is read too); `note`: see NoteUnder. */
  async read(
    memberId: string,
    lineId: string,
    options: { waitId?: string; note?: NoteUnder } = {},
  ): Promise<InboundFirstRead> {
    const { waitId, note } = options;
    const field = waitId ? this.keys.waitIndexWaitField(waitId) : '';
    const noteArgs = note?.customer
      ? [note.version, Math.floor(note.atMs / 1000), note.nowMs, WINDOW_KEEP_SEC]
      : ['', 0, 0, 0];
    const reply = await run(
      this.redis,
      'inbound-first-read-6',
      [
        this.keys.configVersion(memberId),
        this.keys.openLineAttachments(memberId),
        this.keys.hookSubscriptions(memberId),
        this.keys.waitIndex(memberId),
        // Without a note its window key is not read: the tracking key stands in (one slot either way).
        note?.customer ? this.keys.customerWindow(memberId, lineId, note.customer) : this.keys.windowTracking(memberId),
        this.keys.windowTracking(memberId),
      ],
      [lineId, field, ...noteArgs],
    );
    const parsed = firstReadReplySchema.safeParse(reply);
    if (!parsed.success) throw new Error(`inbound-first-read-6: unexpected reply ${JSON.stringify(reply)}`);
    const [version, raw, subscriptions, openWait, noted] = parsed.data;
    return { version, subscriptions, openWait, noted: noted === 1, attachment: () => parseAttachment(raw) };
  }
}
