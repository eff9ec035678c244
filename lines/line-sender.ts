import type { Clock } from '../lib/clock';
import { ActionError, LineBusyError } from '../lib/errors/app-error';
import { randomId } from '../lib/hash';
import type { Metrics } from '../lib/metrics';
import type { OutboundContent, OutboundMessage, SentMessage, WhatsAppProvider } from '../providers/provider';
import { MAX_EXCHANGE_MS } from '../providers/provider-http';
import type { RedisClient } from '../redis/connect';
import type { RedisKeys } from '../redis/keys';
import { rateScripts } from '../redis/rate-scripts';
import type { Line } from '../store/line-store';

export interface LineSenderDeps {
  redis: RedisClient;
  keys: RedisKeys;
  clock: Clock;
  metrics: Pick<Metrics, 'sends'>;
  providerFor: (line: Line) => WhatsAppProvider;
  /** Width of a line's rate window (Meta counts per second; tests use a shorter one). */
  windowMs: number;
  /** Messages per window when the line sets no rate of its own. */
  defaultRatePerSec: number;
}

/**
 * A slot that frees within this long is waited for in process: sending it back to the queue as a
 * delayed job (and promoting it again) costs more Redis work than the wait, and at a line's limit
 * slots free every few ms (issue 10). Longer waits, or more than MAX_IN_PROCESS_WAIT_MS in all,
 * go back to the queue, so a busy line holds a worker's job slots only briefly.
 */
const SHORT_WAIT_MS = 25;
const MAX_IN_PROCESS_WAIT_MS = 100;

/** The end of a slot taken: its window starts on the first `answer()` (LineSender.withSlot). */
class SlotEnd {
  finished: Promise<unknown> | null = null;

  constructor(
    private readonly deps: Pick<LineSenderDeps, 'redis' | 'keys' | 'windowMs'>,
    private readonly phoneNumberId: string,
    private readonly slotId: string,
  ) {}

  answer(): void {
    if (this.finished) return;
    // The key is built here from keys.ts (test/static/redis-slots.test.ts follows every key to its builder).
    const windowKey = this.deps.keys.lineRateWindow(this.phoneNumberId);
    this.finished = rateScripts.finishLineSlot(this.deps.redis, windowKey, this.slotId, this.deps.windowMs);
    // Awaited by withSlot (its failure fails the send as before); handled now, so it is never "unhandled" meanwhile.
    this.finished.catch(() => undefined);
  }
}

/** Sends on a line inside its shared rate limit (one window per business number, across processes). */
export function createLineSender(deps: LineSenderDeps) {
  /**
   * Runs one provider request inside the line's limit, or throws LineBusyError with the wait. The
   * request may call `answered()` once the provider answered: the slot's window starts then, issued
   * in the same turn as whatever the request writes next (else when the request ends). One write and
   * one round trip on one Redis (redis/write-coalescing.ts); on a cluster the line's window lives on
   * its own node, so it is a round trip of its own there, in parallel. `deadlineAt` (app clock ms):
   * when the slot's in-flight lease no longer covers the request; a send passes it to its provider.
   */
  async function withSlot<T>(
    line: Line,
    request: (answered: () => void, deadlineAt: number) => Promise<T>,
  ): Promise<T> {
    const windowKey = deps.keys.lineRateWindow(line.phoneNumberId);
    const slotId = randomId(8);
    const limit = line.ratePerSec ?? deps.defaultRatePerSec;
    let waited = 0;
    let deadlineAt = 0;
    for (;;) {
      // Before the take: its lease starts later (Redis TIME when it runs), so this end errs early.
      deadlineAt = deps.clock.now() + MAX_EXCHANGE_MS;
      const waitMs = await rateScripts.takeLineSlot(deps.redis, windowKey, limit, deps.windowMs, slotId);
      if (waitMs === 0) break;
      if (waitMs > SHORT_WAIT_MS || waited + waitMs > MAX_IN_PROCESS_WAIT_MS) throw new LineBusyError(waitMs);
      // Real time, like the window itself (Redis TIME), whatever clock the app runs on.
      await new Promise((resolve) => setTimeout(resolve, waitMs));
      waited += waitMs;
    }
    // Bound, not an arrow: an arrow assigned to a name is named at creation under tsx, every send (issue 10).
    const end = new SlotEnd(deps, line.phoneNumberId, slotId);
    const answered = end.answer.bind(end);
    try {
      const result = await request(answered, deadlineAt);
      deps.metrics.sends.inc({ outcome: 'sent' });
      return result;
    } catch (error) {
      deps.metrics.sends.inc({ outcome: error instanceof ActionError ? error.code : 'error' });
      throw error;
    } finally {
      answered();
      await end.finished;
    }
  }

  /** Sends one message inside the line's limit. */
  function send(line: Line, message: OutboundMessage): Promise<SentMessage> {
    const provider = deps.providerFor(line);
    return withSlot(line, (_answered, deadlineAt) => provider.send({ ...message, deadlineAt }));
  }

  /** Like send, but waits for a slot (bounded): for rare sends outside action jobs (re-asks). */
  async function sendWaiting(line: Line, message: OutboundMessage, maxWaitMs = 10_000): Promise<SentMessage> {
    // Counted in the pauses taken, not by a clock: the slot frees in Redis' own (real) time.
    let waitedMs = 0;
    for (;;) {
      try {
        return await send(line, message);
      } catch (error) {
        if (!(error instanceof LineBusyError) || waitedMs + error.retryAfterMs > maxWaitMs) throw error;
        await new Promise((resolve) => setTimeout(resolve, error.retryAfterMs));
        waitedMs += error.retryAfterMs;
      }
    }
  }

  /** The content as the line's provider will send it, looked up before any send step is marked (see WhatsAppProvider.prepare). */
  async function prepare(line: Line, content: OutboundContent): Promise<OutboundContent> {
    const provider = deps.providerFor(line);
    return provider.prepare ? provider.prepare(content) : content;
  }

  return { withSlot, send, sendWaiting, prepare };
}

export type LineSender = ReturnType<typeof createLineSender>;
