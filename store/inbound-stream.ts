import type { Redis } from 'ioredis';
import type { RedisKeys } from '../redis/keys';

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
}

/** Appends to the portal's stream of ordinary inbound messages (capped near 100,000 entries). */
export async function appendOrdinaryMessage(redis: Redis, keys: RedisKeys, memberId: string, message: OrdinaryMessage): Promise<void> {
  await redis.xadd(keys.inboundStream(memberId), 'MAXLEN', '~', '100000', '*', ...Object.entries(message).flat());
}
