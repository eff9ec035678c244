import type { Runtime } from '../runtime/create-runtime';
import type { Line } from '../store/line-store';
import type { OutboundMessage, SentMessage, WhatsAppProvider } from '../providers/provider';
import { ActionError, RateLimitedError } from '../lib/errors/app-error';
import { randomId } from '../lib/hash';
import { scripts } from '../redis/scripts';

/** Runs one provider request inside the line's shared rate limit, or throws RateLimitedError with the wait. */
export async function withLineSlot<T>(rt: Runtime, line: Line, request: () => Promise<T>): Promise<T> {
  const windowKey = rt.keys.lineRateWindow(line.phoneNumberId);
  const slotId = randomId(8);
  const waitMs = await scripts.takeLineSlot(rt.redis, windowKey, line.ratePerSec ?? rt.config.LINE_RATE_PER_SEC, rt.lineWindowMs, slotId);
  if (waitMs > 0) throw new RateLimitedError(waitMs);
  try {
    const result = await request();
    rt.metrics.sends.inc({ outcome: 'sent' });
    return result;
  } catch (error) {
    rt.metrics.sends.inc({ outcome: error instanceof ActionError ? error.code : 'error' });
    throw error;
  } finally {
    await scripts.finishLineSlot(rt.redis, windowKey, slotId, rt.lineWindowMs);
  }
}

/** Sends one message inside the line's shared rate limit. */
export async function sendOnLine(rt: Runtime, line: Line, provider: WhatsAppProvider, message: OutboundMessage): Promise<SentMessage> {
  return withLineSlot(rt, line, () => provider.send(message));
}

/** Like sendOnLine, but waits for a slot (bounded): for rare sends outside action jobs (re-asks). */
export async function sendOnLineWaiting(rt: Runtime, line: Line, provider: WhatsAppProvider, message: OutboundMessage, maxWaitMs = 10_000): Promise<SentMessage> {
  const deadline = Date.now() + maxWaitMs;
  for (;;) {
    try {
      return await sendOnLine(rt, line, provider, message);
    } catch (error) {
      if (!(error instanceof RateLimitedError) || Date.now() + error.waitMs > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, error.waitMs));
    }
  }
}
