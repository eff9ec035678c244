import type { RedisClient } from '../redis/connect';
import type { RedisKeys } from '../redis/keys';
import { scripts } from '../redis/scripts';

/** An inbound customer message that no wait took: the open-line sync reads these. */
export interface OrdinaryMessage {
  line: string;
  from: string;
  name: string;
  id: string;
  type: string;
  text: string;
  /** The message as received (JSON). */
  raw: string;
  /** When its webhook reached the app (ms): orders a chat's messages. Not stored in the stream. */
  receivedAt?: number;
  /** Its number in its open-line chat, given at receipt (orders the chat). Not stored in the stream. */
  seq?: number;
}

/** The portal's stream of ordinary inbound messages (capped near 100,000 entries). */
export class OrdinaryMessages {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
  ) {}

  /**
   * Keeps the message; `subscribed`: the portal has outbound-event subscriptions; `lineAttachment`:
   * the JSON of the message's line's open-line attachment (null: none). Both read in the same step.
   */
  async append(
    memberId: string,
    message: OrdinaryMessage,
  ): Promise<{ subscribed: boolean; lineAttachment: string | null }> {
    const { receivedAt: _order, seq: _seq, ...stored } = message;
    const fields = Object.entries(stored).flat();
    const keys = {
      stream: this.keys.inboundStream(memberId),
      subscriptions: this.keys.hookSubscriptions(memberId),
      attachments: this.keys.openLineAttachments(memberId),
    };
    const { subscriptions, attachment } = await scripts.appendInbound(this.redis, keys, message.line, fields);
    return { subscribed: subscriptions > 0, lineAttachment: attachment };
  }
}
