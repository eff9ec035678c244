/** The mutable state of the WhatsApp Cloud API simulator. */
import { httpStatusOf } from './errors';
import type { StoredMedia } from './media-route';
import { ThroughputWindow } from './throughput';
import type {
  CloudApiOptions,
  CloudApiStats,
  DeliverInboundBatchOptions,
  DeliverStatusOptions,
  FailNextOptions,
  PhoneNumber,
  SendAttempt,
  SentMessage,
  TemplateDefinition,
  WebhookDelivery,
} from './types';
import type { UploadedMedia } from './upload-route';
import { makeWamid } from './wamid';
import type { InboundItem } from './webhook-payloads';

/**
 * When the failed status (131047) of a free-form send outside the window goes: right after the
 * answer, held until the test releases it, or before the answer (which then waits for the test's
 * signal) — each an explicit order, never a timer.
 */
export type RefusalTiming = 'after-answer' | 'held' | 'before-answer';

/** A window refusal not yet reported (`held` timing). */
export interface HeldRefusal {
  phoneNumberId: string;
  waId: string;
  wamid: string;
}

/** The failed status (131047) that reports a window refusal, as Meta sends it. */
export function refusalStatus(r: HeldRefusal, nowMs: number): DeliverStatusOptions {
  const { phoneNumberId, waId, wamid } = r;
  const timestamp = Math.floor(nowMs / 1000);
  return { phoneNumberId, wamid, status: 'failed', recipientId: waId, timestamp, errors: [{ code: 131047 }] };
}

interface AsyncFailure {
  code: number;
  remaining: number;
}

/** Everything the simulator remembers. */
export class CloudState {
  readonly phones = new Map<string, PhoneNumber>();
  readonly sent: SentMessage[] = [];
  readonly attempts: SendAttempt[] = [];
  readonly markedRead: Array<{ phoneNumberId: string; messageId: string; receivedAt: number }> = [];
  readonly stats: CloudApiStats = { accepted: 0, throttled: 0, rejected: 0 };
  readonly window: ThroughputWindow;
  readonly asyncFailures = new Map<string, AsyncFailure>();
  /** Numbers whose WhatsApp id differs from the number (Meta: wa_id "may not always match"). */
  readonly waIds = new Map<string, string>();
  /** wamids whose pricing block was already sent on a delivered/read status. */
  readonly pricedOnce = new Set<string>();
  /** Profile names seen on inbound messages, by wa_id. */
  readonly names = new Map<string, string>();
  /** Inbound media by media id (`addMedia`), served to the number's token. */
  readonly media = new Map<string, StoredMedia>();
  /** Media downloads served. */
  mediaDownloads = 0;
  /** Message templates by WhatsApp Business Account id, in creation order. */
  readonly templates = new Map<string, TemplateDefinition[]>();
  /** When each customer last wrote to each number (`<phone number id>|<wa_id>` → ms of the simulator's clock). */
  readonly lastInbound = new Map<string, number>();
  /** Free-form sends outside the customer's 24-hour window fail after acceptance (131047), as on the real service. */
  enforceWindow: boolean;
  readonly now: () => number;
  /** Files uploaded through `/media`, by id (a message's media `id` must be one of the number's). */
  readonly uploads = new Map<string, UploadedMedia>();
  webhookUrl: string | undefined;
  throttleStatus: number;
  refusalTiming: RefusalTiming = 'after-answer';
  readonly heldRefusals: HeldRefusal[] = [];
  /** `before-answer` timing: what the send's answer waits for once the refusal was delivered. */
  beforeAnswer: () => Promise<void> = async () => undefined;
  /** Reports a window refusal (the failed status webhook, 131047). */
  refuse: (r: HeldRefusal) => Promise<WebhookDelivery | undefined> = async () => undefined;
  /** Called after an accepted send (used for async failures). */
  afterAccepted: (phoneNumberId: string, waId: string, wamid: string, windowClosed: boolean) => void = () => undefined;
  private injected: Array<Required<Pick<FailNextOptions, 'code' | 'times'>> & FailNextOptions> = [];

  constructor(readonly opts: CloudApiOptions) {
    this.window = new ThroughputWindow(opts.throughputPerSec ?? 80);
    this.throttleStatus = opts.throttleHttpStatus ?? 429;
    this.enforceWindow = opts.enforceWindow ?? false;
    this.now = opts.now ?? Date.now;
  }

  /**
   * Customers' messages to number `phoneNumberId` as a webhook carries them: each sender's name
   * kept, and each one's window on the number started (24 hours from the message).
   */
  inboundItems(phoneNumberId: string, messages: DeliverInboundBatchOptions['messages']): InboundItem[] {
    return messages.map((m) => {
      const from = m.from.replace(/\D/g, '');
      const name = m.name ?? 'Иван';
      this.names.set(from, name);
      const id = m.id ?? makeWamid(from, true);
      const timestamp = m.timestamp ?? Math.floor(this.now() / 1000);
      const key = `${phoneNumberId}|${this.waIds.get(from) ?? from}`;
      this.lastInbound.set(key, Math.max(this.lastInbound.get(key) ?? 0, timestamp * 1000));
      return { from, name, id, timestamp, message: m.message, contextId: m.contextId, omitFrom: m.omitFrom };
    });
  }

  /** True when `waId` wrote to the number within 24 hours (of the simulator's clock). */
  windowOpen(phoneNumberId: string, waId: string): boolean {
    const last = this.lastInbound.get(`${phoneNumberId}|${waId}`);
    return last !== undefined && this.now() < last + 86_400_000;
  }

  /** Queues an injected failure. */
  inject(f: FailNextOptions): void {
    const times = f.times ?? 1;
    if (!Number.isInteger(times) || times < 1)
      throw new Error(`failNext: times must be a positive integer, got ${times}`);
    // Graph answers a refused message with a 4xx; only a server failure can come after acceptance.
    if (f.afterAccept && (f.httpStatus ?? httpStatusOf(f.code, this.throttleStatus)) < 500)
      throw new Error(`failNext: afterAccept needs a 5xx answer (code ${f.code} answers a 4xx)`);
    this.injected.push({ ...f, times });
  }

  /** Takes the next injected failure that applies to `phoneNumberId`, if any. */
  takeInjected(phoneNumberId: string): FailNextOptions | undefined {
    const idx = this.injected.findIndex(
      (f) => f.times > 0 && (f.phoneNumberId === undefined || f.phoneNumberId === phoneNumberId),
    );
    const f = this.injected[idx]; // undefined when idx is -1
    if (!f) return undefined;
    if (f.after) {
      // Sends that pass before the failure starts (the second step of a message fails, the first goes).
      f.after--;
      return undefined;
    }
    f.times--;
    if (f.times <= 0) this.injected.splice(idx, 1);
    return f;
  }
}
