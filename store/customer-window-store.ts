import { otherWhatsAppForm } from '../lib/phone';
import type { RedisClient } from '../redis/connect';
import type { RedisKeys } from '../redis/keys';
import { windowScripts } from '../redis/window-scripts';

/** The free-form window: 24 hours from the customer's last message (waba-wire.md §2). */
export const WINDOW_MS = 86_400_000;
/** The last minutes count as closed: a send queued behind others must not cross the edge (waba-wire.md §2). */
export const WINDOW_MARGIN_MS = 3 * 60_000;
/** How long a customer's last message time is kept: "Can I write freely?" still names it a month later. */
export const WINDOW_KEEP_SEC = 31 * 86400;

/** What the app knows of a customer's window on a line. */
export interface WindowRecord {
  /** When the customer last wrote (ms), if they did within the kept time. */
  lastInboundAt?: number;
  /** Since when the line's messages are tracked (ms), if any came in. */
  trackingSince?: number;
}

/**
 * The window's state now: open (and until when), closed, or unknown (`open: null` — nothing heard
 * from the customer, and the line has not been tracked a full window: WhatsApp decides).
 */
export interface WindowState {
  open: boolean | null;
  closesAt?: number;
  lastInboundAt?: number;
}

/** Decides the window with the injected clock's `now`; pure. */
export function decideWindow(record: WindowRecord, now: number): WindowState {
  const { lastInboundAt, trackingSince } = record;
  if (lastInboundAt !== undefined) {
    const closesAt = lastInboundAt + WINDOW_MS;
    return { open: now < closesAt - WINDOW_MARGIN_MS, closesAt, lastInboundAt };
  }
  // Tracked for a whole window and nothing from the customer: closed for certain.
  if (trackingSince !== undefined && trackingSince + WINDOW_MS <= now) return { open: false };
  return { open: null };
}

/**
 * Country codes whose WhatsApp ids may differ from the number typed (Brazil's extra 9, Mexico's 1
 * after 52: whatsapp-wire.md, "wa_id may not always match"). The window is kept under the wa_id
 * inbound messages carry: for these numbers "nothing heard" proves nothing until a send taught the wa_id.
 */
const WA_ID_MAY_DIFFER = ['55', '52'];

/** Per line and customer, the time of their last message (compact: one small string with a TTL each). */
export class CustomerWindowStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: Pick<RedisKeys, 'customerWindow' | 'windowTracking' | 'customerWaId' | 'sentStep'>,
  ) {}

  /** A send's answer named the customer's wa_id: kept when it differs from the number sent to (a string per such customer). */
  async noteWaId(memberId: string, lineId: string, phone: string, waId: string): Promise<void> {
    if (!waId || waId === phone) return;
    await this.redis.set(this.keys.customerWaId(memberId, lineId, phone), waId, 'EX', WINDOW_KEEP_SEC);
  }

  /** A message from `customer` (phone digits or user id) at `atMs` on the line; `nowMs` from the injected clock. */
  async note(memberId: string, lineId: string, customer: string, atMs: number, nowMs: number): Promise<void> {
    if (!customer) return;
    await windowScripts.noteWindow(
      this.redis,
      { window: this.keys.customerWindow(memberId, lineId, customer), tracking: this.keys.windowTracking(memberId) },
      { atSec: Math.floor(atMs / 1000), lineId, nowMs, ttlSec: WINDOW_KEEP_SEC },
    );
  }

  /**
   * What is known of the customer's window on the line: under the number, under its wa_id when a
   * send taught one, and under the number's other WhatsApp form (Brazil's 9, Mexico's 1: GupShup
   * never reports a wa_id, and the customer writes from theirs). The other form is only ever a
   * mobile's (lib/phone.ts), so it cannot be someone else's landline.
   */
  async read(memberId: string, lineId: string, customer: string): Promise<WindowRecord> {
    return (await this.readAlong(memberId, lineId, customer)).window;
  }

  /**
   * `read`, and in the same round trip every step of the call `callKey` (its sent-step hash, as
   * MessageStore.callSteps reads it): a free-form send reads both before it decides (call-steps.ts).
   */
  async readWithSteps(
    memberId: string,
    lineId: string,
    customer: string,
    callKey: string,
  ): Promise<{ window: WindowRecord; steps: Record<string, string> }> {
    const { window, steps } = await this.readAlong(memberId, lineId, customer, callKey);
    if (!steps) throw new Error('window-read-5 answered no steps');
    return { window, steps };
  }

  private async readAlong(
    memberId: string,
    lineId: string,
    customer: string,
    callKey?: string,
  ): Promise<{ window: WindowRecord; steps: Record<string, string> | null }> {
    const other = otherWhatsAppForm(customer);
    const { last, waId, since, byOther, steps } = await windowScripts.readWindow(
      this.redis,
      {
        window: this.keys.customerWindow(memberId, lineId, customer),
        waId: this.keys.customerWaId(memberId, lineId, customer),
        tracking: this.keys.windowTracking(memberId),
        // Read only when there is another form (`other !== null`); else any key of the portal's slot.
        otherWindow: this.keys.customerWindow(memberId, lineId, other ?? customer),
        // Read only when a call is named; else the tracking hash (KEYS[3]) stands in unread: no
        // steps key is named by a read that does not read steps.
        steps: callKey === undefined ? this.keys.windowTracking(memberId) : this.keys.sentStep(memberId, callKey),
      },
      { lineId, hasOther: other !== null, withSteps: callKey !== undefined },
    );
    const byWaId =
      waId && waId !== other ? await this.redis.get(this.keys.customerWindow(memberId, lineId, waId)) : null;
    const seconds = [last, byWaId, byOther].filter((s): s is string => s !== null).map(Number);
    // Both forms looked up: nothing heard under either is as sure as for any other number.
    const unsure =
      seconds.length === 0 && !waId && !other && WA_ID_MAY_DIFFER.some((code) => customer.startsWith(code));
    const window = {
      lastInboundAt: seconds.length ? Math.max(...seconds) * 1000 : undefined,
      // Not tracked as far as this customer goes: their messages may be kept under a wa_id not yet learned.
      trackingSince: since === null || unsure ? undefined : Number(since),
    };
    return { window, steps };
  }
}
