import { InboundBatcher } from '../../../queues/inbound-batcher';
import type { InboundJob } from '../../../queues/job-schemas';

/** An inbound event named `id` (only its id matters here). */
const event = (id: string): InboundJob => ({
  phoneNumberId: 'PN',
  kind: 'message',
  event: { id },
  receivedAt: 0,
  eventKey: id,
});

/** Resolves after the current turn of the event loop (a batch closes then). */
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A batcher whose adds are recorded; `fail` makes the next add reject. */
function recording(maxEvents = 50) {
  const added: Array<{ jobId: string; ids: unknown[] }> = [];
  const control = { fail: undefined as Error | undefined };
  const batcher = new InboundBatcher({
    maxEvents,
    add: async (events, jobId) => {
      if (control.fail) throw control.fail;
      added.push({ jobId, ids: events.map((e) => e.event.id) });
    },
  });
  return { batcher, added, control };
}

describe('InboundBatcher: the events of one turn of the event loop in one job', () => {
  it('places taken in one turn share a job id and go out as one job, in the order taken', async () => {
    const { batcher, added } = recording();
    const slots = ['a', 'b', 'c'].map(() => batcher.join());
    expect(new Set(slots.map((s) => s.jobId)).size).toBe(1);
    await Promise.all(slots.map((slot, i) => slot.commit(event(['a', 'b', 'c'][i] ?? ''))));
    expect(added).toEqual([{ jobId: slots[0]?.jobId, ids: ['a', 'b', 'c'] }]);
    // The next turn starts another batch.
    const later = batcher.join();
    expect(later.jobId).not.toBe(slots[0]?.jobId);
    await later.commit(event('d'));
    expect(added.map((a) => a.ids)).toEqual([['a', 'b', 'c'], ['d']]);
  });

  it('waits for every place of a closed batch: a place still being numbered holds the job back', async () => {
    const { batcher, added } = recording();
    const first = batcher.join();
    const slow = batcher.join();
    const committed = first.commit(event('first'));
    await nextTurn();
    await nextTurn();
    // Closed (a turn passed), but one place is not settled yet: nothing queued.
    expect(added).toEqual([]);
    // A place taken now goes to a new batch.
    expect(batcher.join().jobId).not.toBe(first.jobId);
    await slow.commit(event('slow'));
    await committed;
    expect(added[0]).toEqual({ jobId: first.jobId, ids: ['first', 'slow'] });
  });

  it('a full batch closes at once: the next place starts another job', async () => {
    const { batcher, added } = recording(2);
    const [a, b, c] = [batcher.join(), batcher.join(), batcher.join()];
    expect(a.jobId).toBe(b.jobId);
    expect(c.jobId).not.toBe(a.jobId);
    await Promise.all([a.commit(event('a')), b.commit(event('b')), c.commit(event('c'))]);
    expect(added.map((x) => x.ids)).toEqual([['a', 'b'], ['c']]);
  });

  it('a place given up is left out; a batch of places all given up queues nothing', async () => {
    const { batcher, added } = recording();
    const kept = batcher.join();
    batcher.join().cancel();
    await kept.commit(event('kept'));
    expect(added.map((x) => x.ids)).toEqual([['kept']]);
    batcher.join().cancel();
    await nextTurn();
    await nextTurn();
    expect(added).toHaveLength(1);
  });

  it('an add that fails rejects every commit of its batch (no webhook is answered as queued)', async () => {
    const { batcher, control } = recording();
    control.fail = new Error('READONLY');
    const slots = [batcher.join(), batcher.join()];
    const results = await Promise.allSettled(slots.map((slot, i) => slot.commit(event(String(i)))));
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
  });

  it('a place is settled once', async () => {
    const { batcher } = recording();
    const slot = batcher.join();
    await slot.commit(event('x'));
    expect(() => slot.cancel()).toThrow('settled twice');
  });
});
