import { z } from 'zod';
import type { Clock } from '../lib/clock';
import type { Logger } from '../lib/logger';
import type { Metrics } from '../lib/metrics';
import type { LineStatus, WhatsAppProvider } from '../providers/provider';
import type { HealthWrite } from '../redis/line-scripts';
import {
  type HealthChange,
  healthAccount,
  healthOfLine,
  type LineHealth,
  type LineHealthStore,
} from '../store/line-health-store';
import type { Line, LineStore } from '../store/line-store';

export interface LineHealthDeps {
  providerFor: (line: Line) => WhatsAppProvider;
  store: LineHealthStore;
  lines: Pick<LineStore, 'list' | 'get'>;
  clock: Clock;
  log: Logger;
  metrics: Pick<Metrics, 'lineHealthChanges'>;
}

/** Health is read hourly on the maintenance sweep (waba-wire.md §3: limits are re-evaluated within hours). */
export const HEALTH_MAX_AGE_MS = 60 * 60_000;

const QUALITY_RANK: Record<string, number> = { RED: 1, YELLOW: 2, GREEN: 3 };

/** The notable changes between two health records (UNKNOWN quality is no change either way). */
export function healthChanges(before: LineHealth | null, after: LineHealth, reason: string): HealthChange[] {
  if (!before) return [];
  const at = after.checkedAt;
  const changes: HealthChange[] = [];
  const from = QUALITY_RANK[before.qualityRating ?? ''];
  const to = QUALITY_RANK[after.qualityRating ?? ''];
  if (from !== undefined && to !== undefined && from !== to) {
    const kind = to < from ? 'quality_drop' : 'quality_up';
    changes.push({ kind, from: before.qualityRating ?? '', to: after.qualityRating ?? '', at, reason });
  }
  if (before.messagingLimit && after.messagingLimit && before.messagingLimit !== after.messagingLimit)
    changes.push({ kind: 'limit_change', from: before.messagingLimit, to: after.messagingLimit, at, reason });
  if (before.status && after.status && before.status !== after.status)
    changes.push({ kind: 'status_change', from: before.status, to: after.status, at, reason });
  return changes;
}

/** The parts of an account webhook's value the app reads (waba-wire.md §3.2). */
const accountEventSchema = z
  .object({
    field: z.string(),
    event: z.string().optional(),
    waba_id: z.string().optional(),
    current_limit: z.string().optional(),
    max_daily_conversations_per_business: z.string().optional(),
  })
  .loose();

/**
 * A line's health (quality rating, messaging limit tier, throughput, status): read from the
 * provider on connect, on demand, hourly and on account webhooks; a drop in quality or a new limit
 * is logged, counted and kept as the line's last change (lines list, checkStatus).
 */
export function createLineHealth(deps: LineHealthDeps) {
  /** The line's record: none when the one stored is of the number the line stood for before a re-add. */
  async function get(line: Line): Promise<LineHealth | null> {
    return healthOfLine(line, await deps.store.get(line.memberId, line.id));
  }

  /** Every line's record of a portal, by line id (as `get`: only those of the lines' numbers now). */
  async function all(memberId: string): Promise<Record<string, LineHealth>> {
    return healthOfLines(await deps.lines.list(memberId), await deps.store.all(memberId));
  }

  /** Of the stored records, those of `lines`' numbers now, by line id. */
  function healthOfLines(lines: Line[], stored: Record<string, LineHealth>): Record<string, LineHealth> {
    const out: Record<string, LineHealth> = {};
    for (const line of lines) {
      const health = healthOfLine(line, stored[line.id]);
      if (health) out[line.id] = health;
    }
    return out;
  }

  /** Whether a health write was kept; one not kept is logged (an unreadable stored line as an error). */
  function kept(line: Line, write: HealthWrite, reason: string): boolean {
    const at = { memberId: line.memberId, lineId: line.id, reason };
    if (write === 'unreadable_line') deps.log.error(at, 'line health not kept: the stored line is unreadable');
    else if (write === 'not_the_line')
      deps.log.info(at, 'line health not kept: the line stands for another number now, or is gone');
    return write === 'written';
  }

  /**
   * Whether a display-number route reaches the line it names. A stamped route: while the line has the
   * number it was made for. An older release's (no number): while the line's stored record is an
   * older release's too, or absent. Every read by this release stamps the record, then routes the
   * display number it read, stamped (the same key as an older route of that number), so an unstamped
   * route still naming a line with a stamped record is of a number the line no longer has (a re-add
   * before this release: nothing else rewrites or deletes it). The sweep reads every Cloud API line
   * within the hour (at once without a record), so an older route is taken at most until then; an
   * account event that came by one keeps the record unstamped, and so does not end it early.
   */
  async function routeReaches(route: { account?: string }, line: Line): Promise<boolean> {
    if (route.account !== undefined) return route.account === healthAccount(line);
    return (await deps.store.get(line.memberId, line.id))?.account === undefined;
  }

  /**
   * Stores a health record, telling every notable change against the last one of the line's number.
   * `kept` false: the line stands for another number now, or is gone (a read begun before a re-add
   * or a removal): nothing stored, nothing told.
   */
  async function record(
    line: Line,
    next: LineHealth,
    reason: string,
    options: { unstamped?: boolean } = {},
  ): Promise<{ health: LineHealth; kept: boolean }> {
    const before = await get(line);
    const changes = healthChanges(before, next, reason);
    // The newest notable change stays with the record until another one replaces it.
    const health = { ...next, lastChange: changes.at(-1) ?? next.lastChange ?? before?.lastChange };
    if (!kept(line, await deps.store.set(line, health, options), reason)) return { health, kept: false };
    for (const change of changes) {
      deps.metrics.lineHealthChanges.inc({ change: change.kind });
      const worse = change.kind === 'quality_drop' || change.kind === 'limit_change' || change.kind === 'status_change';
      deps.log[worse ? 'warn' : 'info'](
        { memberId: line.memberId, lineId: line.id, ...change },
        `line health: ${change.kind} ${change.from} → ${change.to}`,
      );
    }
    return { health, kept: true };
  }

  /**
   * Health from a status the provider just reported (a checkStatus read, too): returned as read, and
   * stored (with its display number's route) only while the line still has the number read.
   */
  async function fromStatus(line: Line, status: LineStatus, reason: string): Promise<LineHealth> {
    const health: LineHealth = {
      connected: status.connected,
      status: status.state,
      qualityRating: status.qualityRating,
      messagingLimit: status.messagingLimit,
      throughput: status.throughput,
      checkedAt: deps.clock.now(),
    };
    const { health: stored, kept } = await record(line, health, reason);
    // Routed only once the record is the line's: a read of the number it stood for before routes nothing to it.
    if (kept) await deps.store.indexDisplayNumber((status.displayPhoneNumber ?? '').replace(/\D/g, ''), line);
    return stored;
  }

  /** Reads the line's health from its provider now. */
  async function read(line: Line, reason: string): Promise<LineHealth> {
    return fromStatus(line, await deps.providerFor(line).lineStatus(), reason);
  }

  /** The sweep: Cloud API lines whose last read is older than an hour are read again; one failure stops none. */
  async function refreshDue(memberIds: string[], maxAgeMs = HEALTH_MAX_AGE_MS): Promise<number> {
    let read_ = 0;
    for (const memberId of memberIds) {
      // The lines listed once: the records of their numbers now, and the lines to read.
      const lines = await deps.lines.list(memberId);
      const known = healthOfLines(lines, await deps.store.all(memberId));
      for (const line of lines) {
        if (line.provider !== 'cloud') continue;
        const last = known[line.id]?.checkedAt;
        if (last !== undefined && deps.clock.now() - last < maxAgeMs) continue;
        try {
          await read(line, 'schedule');
          read_ += 1;
        } catch (error) {
          deps.log.warn({ memberId, lineId: line.id, err: error }, 'line health read failed; next sweep again');
        }
      }
    }
    return read_;
  }

  /**
   * A `phone_number_quality_update` / `account_update`: the line (by display number) is read anew
   * (Graph has the full truth); if that fails, the webhook's own limit is kept. An account event is
   * logged, counted and kept as the line's last change.
   */
  async function onAccountEvent(displayDigits: string | undefined, raw: Record<string, unknown>): Promise<string> {
    const value = accountEventSchema.parse(raw);
    const event = value.event ?? '';
    const owner = displayDigits ? await deps.store.findByDisplayNumber(displayDigits) : null;
    const routed = owner ? await deps.lines.get(owner.memberId, owner.lineId) : null;
    // A route made for the number the line stood for before a re-add to another is not the line's:
    // that number's quality and account events are not the new one's.
    const line = owner && routed && (await routeReaches(owner, routed)) ? routed : null;
    // Written as an older release's record when it came by an older release's route (routeReaches).
    const unstamped = owner?.account === undefined;
    if (value.field === 'account_update') deps.metrics.lineHealthChanges.inc({ change: 'account_event' });
    if (!line) {
      deps.log.warn({ field: value.field, event, wabaId: value.waba_id }, 'account webhook for no known line');
      return 'account_unknown_line';
    }
    const reason = `webhook:${event || value.field}`;
    if (value.field === 'account_update') {
      deps.log.warn({ memberId: line.memberId, lineId: line.id, event, value: raw }, 'WhatsApp account update');
      const before = await get(line);
      const at = deps.clock.now();
      const lastChange: HealthChange = { kind: 'account_event', from: '', to: event, at, reason };
      kept(line, await deps.store.set(line, { ...(before ?? { checkedAt: at }), lastChange }, { unstamped }), reason);
      return `account_${event.toLowerCase()}`;
    }
    try {
      await read(line, reason);
    } catch (error) {
      deps.log.warn(
        { lineId: line.id, err: error },
        'line health read after a quality webhook failed; the webhook kept',
      );
      const before = await get(line);
      const limit = value.max_daily_conversations_per_business ?? value.current_limit;
      await record(
        line,
        { ...(before ?? {}), messagingLimit: limit ?? before?.messagingLimit, checkedAt: deps.clock.now() },
        reason,
        { unstamped },
      );
    }
    return `quality_${event.toLowerCase()}`;
  }

  return {
    read,
    fromStatus,
    refreshDue,
    onAccountEvent,
    get,
    all,
    /** Forgets the line's record: the line now stands for another account (lines/line-admin.ts), or is gone. */
    forget: deps.store.drop.bind(deps.store),
  };
}

export type LineHealthService = ReturnType<typeof createLineHealth>;
