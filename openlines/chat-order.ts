import type { ChatItem, ChatOrder, ClaimedItem, OrderChange } from '../store/open-line-outbox';

/** A claimed item ready to go, with the chat's next number once it is settled. */
export interface ReadyItem extends ClaimedItem {
  nextAfter: number;
}

/** A missing number the chat's later messages waited for and went past (logged). */
export interface PassedGap {
  from: number;
  to: number;
  since: number;
}

/** What of a claimed chat may go now, in order. */
export interface ArrangedChat {
  ready: ReadyItem[];
  /** The gap the chat stops at (its later items wait), or null. */
  gap: { since: number; awaited: number } | null;
  passed: PassedGap[];
}

/** The number a customer message (or its skip marker) got at receipt, if any. */
export function numberOf(item: ChatItem): number | undefined {
  return item.kind === 'customer' || item.kind === 'skip' ? item.seq : undefined;
}

/**
 * Orders a claimed chat's items (openlines issue 11, item 6): numbered customer messages take the
 * places of numbered items in arrival order, sorted by their number (two webhooks received at the
 * same moment by two processes may be queued in the other order); then item n goes only once n−1
 * was settled. A missing number holds the chat's later items (of every kind: the operator sees what
 * happened in the order it happened) for `gapTimeoutMs` from when it was first seen, then is passed
 * (its message's job never came, or failed for good). A number below the next one (its message
 * came after its gap was passed) goes at once: late, never lost. Unnumbered items go in arrival order.
 */
export function arrangeChat(items: ClaimedItem[], order: ChatOrder, now: number, gapTimeoutMs: number): ArrangedChat {
  const slots = items.flatMap((entry, index) => (numberOf(entry.item) === undefined ? [] : [index]));
  const numbered = slots
    .map((index) => items[index])
    .filter((entry): entry is ClaimedItem => entry !== undefined)
    .sort((a, b) => (numberOf(a.item) ?? 0) - (numberOf(b.item) ?? 0));
  const arranged = [...items];
  slots.forEach((slot, k) => {
    const entry = numbered[k];
    if (entry) arranged[slot] = entry;
  });
  let next = order.next ?? 1;
  const ready: ReadyItem[] = [];
  const passed: PassedGap[] = [];
  for (const entry of arranged) {
    const n = numberOf(entry.item);
    if (n !== undefined && n > next) {
      // The gap's clock runs from when a claim first found this number missing.
      const since = order.gap && order.gap.awaited === next ? order.gap.since : now;
      if (now - since < gapTimeoutMs) return { ready, gap: { since, awaited: next }, passed };
      passed.push({ from: next, to: n - 1, since });
    }
    if (n !== undefined && n >= next) next = n + 1;
    ready.push({ ...entry, nextAfter: next });
  }
  return { ready, gap: null, passed };
}

/** The leading skip markers of a chat's ready items. */
export function leadingSkips(ready: ReadyItem[]): ReadyItem[] {
  const end = ready.findIndex((r) => r.item.kind !== 'skip');
  return end === -1 ? ready : ready.slice(0, end);
}

/**
 * The chat's order once `done` (a prefix of the ready items) is settled: its next number moves past
 * them; a gap still ahead keeps the time it was first seen (passed or not, its time-out is not restarted).
 */
export function orderAfter(order: ChatOrder, arranged: ArrangedChat, done: ReadyItem[]): OrderChange {
  const last = done.at(-1);
  if (!last) return {};
  const next = last.nextAfter;
  const ahead = arranged.passed.find((p) => p.from >= next);
  return {
    ...(order.next === null && next === 1 ? {} : { next }),
    gap: ahead ? { since: ahead.since, awaited: ahead.from } : arranged.gap,
  };
}
