import { arrangeChat } from '../../../openlines/chat-order';
import type { ChatItem, ClaimedItem } from '../../../store/open-line-outbox';

const customer = (seq?: number): ClaimedItem => {
  const item: ChatItem = {
    kind: 'customer',
    id: `m${seq ?? 'x'}`,
    openLineId: '1',
    ...(seq === undefined ? {} : { seq }),
    user: { id: '7999' },
    message: { id: `m${seq ?? 'x'}`, date: 1 },
    chat: { id: '7999-main' },
  };
  return { member: item.id, item };
};
const skip = (seq: number): ClaimedItem => ({ member: `s${seq}`, item: { kind: 'skip', id: `s${seq}`, seq } });
const note: ClaimedItem = { member: 'note', item: { kind: 'note', id: 'n', portalChatId: '5', text: 'x' } };
const ids = (r: ReturnType<typeof arrangeChat>) => r.ready.map((x) => x.member);

describe('arrangeChat', () => {
  it('sends numbers in order, settling each next number', () => {
    const r = arrangeChat([customer(1), customer(2), skip(3), customer(4)], { next: null, gap: null }, 0, 30_000);
    expect(ids(r)).toEqual(['m1', 'm2', 's3', 'm4']);
    expect(r.ready.map((x) => x.nextAfter)).toEqual([2, 3, 4, 5]);
    expect(r.gap).toBeNull();
  });

  it('puts numbered items in number order over their places (queued in the other order)', () => {
    const r = arrangeChat([customer(2), note, customer(1)], { next: 1, gap: null }, 0, 30_000);
    expect(ids(r)).toEqual(['m1', 'note', 'm2']);
  });

  it('stops at a missing number, everything after it waits; its time-out starts when first seen', () => {
    const r = arrangeChat([customer(2), note], { next: 1, gap: null }, 5_000, 30_000);
    expect(ids(r)).toEqual([]);
    expect(r.gap).toEqual({ since: 5_000, awaited: 1 });
    const later = arrangeChat([customer(2), note], { next: 1, gap: { since: 5_000, awaited: 1 } }, 34_999, 30_000);
    expect(ids(later)).toEqual([]);
    expect(later.gap).toEqual({ since: 5_000, awaited: 1 });
  });

  it('passes a missing number after the gap time-out and reports it', () => {
    const r = arrangeChat([customer(3), customer(4)], { next: 1, gap: { since: 0, awaited: 1 } }, 30_000, 30_000);
    expect(ids(r)).toEqual(['m3', 'm4']);
    expect(r.passed).toEqual([{ from: 1, to: 2, since: 0 }]);
    expect(r.ready.at(-1)?.nextAfter).toBe(5);
  });

  it('a later gap gets its own time-out; a gap remembered for another number does not count', () => {
    const r = arrangeChat([customer(2), customer(4)], { next: 1, gap: { since: 0, awaited: 1 } }, 40_000, 30_000);
    expect(ids(r)).toEqual(['m2']);
    expect(r.gap).toEqual({ since: 40_000, awaited: 3 });
  });

  it('a number below the next one (late, after its gap was passed) and unnumbered items go at once', () => {
    const r = arrangeChat([customer(2), customer(), customer(7)], { next: 7, gap: null }, 0, 30_000);
    expect(ids(r)).toEqual(['m2', 'mx', 'm7']);
    expect(r.ready.at(-1)?.nextAfter).toBe(8);
  });
});
