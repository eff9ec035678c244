import { z } from 'zod';
import type { RedisClient } from '../redis/connect';
import type { RedisKeys } from '../redis/keys';
import { run } from '../redis/scripts';
import { type AttachmentWithVersion, parseAttachment } from './open-line-store';

/** inbound-first-read-4's reply: the version and the attachment's JSON, the subscriptions, the wait's JSON. */
const firstReadReplySchema = z.tuple([
  z.string().nullable(),
  z.string().nullable(),
  z.number().int().nonnegative(),
  z.string().nullable(),
]);

/**
 * AttachmentWithVersion, how many outbound-event subscriptions the portal has (HookEmitter.subscribed)
 * and the tapped wait as the index of open waits held it (null: not there, or no wait asked for).
 */
export interface InboundFirstRead extends AttachmentWithVersion {
  subscriptions: number;
  openWait: string | null;
}

/**
 * A customer message's reads before its first writes, in one script (inbound-first-read-4.lua): the
 * inbound job under a route its process remembers reads them in one round trip.
 */
export class InboundFirstReads {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: Pick<
      RedisKeys,
      'configVersion' | 'openLineAttachments' | 'hookSubscriptions' | 'waitIndex' | 'waitIndexWaitField'
    >,
  ) {}

  /** `waitId`: the wait a tap's button names (its index field is read too). */
  async read(memberId: string, lineId: string, waitId?: string): Promise<InboundFirstRead> {
    const keys = [
      this.keys.configVersion(memberId),
      this.keys.openLineAttachments(memberId),
      this.keys.hookSubscriptions(memberId),
      this.keys.waitIndex(memberId),
    ];
    const field = waitId ? this.keys.waitIndexWaitField(waitId) : '';
    const reply = await run(this.redis, 'inbound-first-read-4', keys, [lineId, field]);
    const parsed = firstReadReplySchema.safeParse(reply);
    if (!parsed.success) throw new Error(`inbound-first-read-4: unexpected reply ${JSON.stringify(reply)}`);
    const [version, raw, subscriptions, openWait] = parsed.data;
    return { version, subscriptions, openWait, attachment: () => parseAttachment(raw) };
  }
}
