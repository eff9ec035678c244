import { INDEX_MOVING_MARK, movingMark } from '../../../bitrix/callback-outbox';
import { callbackScripts } from '../../../redis/callback-scripts';
import { M, setupWaitService } from '../../helpers/wait-service-env';

/**
 * A wait's end queues its callback in wait-end-10.lua; the global index of due portals (another
 * slot) is written after it only when no confirmed write as early is marked: a burst of ended waits
 * writes the index once, and a write that failed or never happened is repaired by the next end.
 */
describe('ended waits and the global index of portals with due callbacks', () => {
  let env: ReturnType<typeof setupWaitService>;
  beforeEach(() => {
    env = setupWaitService();
  });
  afterEach(() => {
    jest.restoreAllMocks();
    env.redis.disconnect();
  });

  const indexScore = () => env.redis.zscore(env.keys.callbackPortals(), M);

  it('a burst of ended waits writes the index once', async () => {
    const waits = [await env.open(), await env.open(), await env.open()];
    const markDue = jest.spyOn(env.outbox, 'markDue');
    const first = env.clock.now();
    for (const { wait } of waits) {
      expect(await env.service.cancel(M, wait.id)).toBe(true);
      env.clock.advance(5);
    }
    expect(markDue).toHaveBeenCalledTimes(1);
    expect(Number(await indexScore())).toBe(first);
    expect((await env.callbacks()).size).toBe(3);
  });

  it('an end whose index write failed leaves no confirmed mark: the next end writes the index', async () => {
    const [a, b] = [await env.open(), await env.open()];
    jest.spyOn(env.outbox, 'markDue').mockRejectedValueOnce(new Error('the index node timed out'));
    await expect(env.service.cancel(M, a.wait.id)).rejects.toThrow(/timed out/);
    // Claimed and queued all the same: the wait ended once, its callback waits for the index.
    expect(await env.status(a.wait.id)).toBe('cancelled');
    expect(await indexScore()).toBeNull();
    env.clock.advance(5);
    expect(await env.service.cancel(M, b.wait.id)).toBe(true);
    expect(Number(await indexScore())).toBe(env.clock.now());
    expect((await env.callbacks()).size).toBe(2);
  });

  // 'd' alone: the moving mark of a dispatcher from before the marks had tokens (a rolling deploy).
  it.each([
    ['p:d:<token>', movingMark()],
    ["an older dispatcher's 'd'", 'd'],
  ])('while a dispatcher moves the index (its mark %s), every end writes it and the mark stays', async (_, moving) => {
    const [a, b] = [await env.open(), await env.open()];
    const markDue = jest.spyOn(env.outbox, 'markDue');
    const mark = env.keys.callbackIndexed(M);
    await env.redis.set(mark, moving, 'PX', INDEX_MOVING_MARK.ttlMs);
    await env.service.cancel(M, a.wait.id);
    await env.service.cancel(M, b.wait.id);
    expect(markDue).toHaveBeenCalledTimes(2);
    expect(await env.redis.get(mark)).toBe(moving);
  });

  it("behind another's index write under way, an end writes the index too and leaves that write's mark", async () => {
    const { wait } = await env.open();
    const markDue = jest.spyOn(env.outbox, 'markDue');
    const mark = env.keys.callbackIndexed(M);
    await env.redis.set(mark, 'p:other', 'PX', 5000);
    await env.service.cancel(M, wait.id);
    expect(markDue).toHaveBeenCalledTimes(1);
    // Its confirm can still land: a burst's ends do not each replace it and confirm in vain.
    expect(await env.redis.get(mark)).toBe('p:other');
  });

  it('an end without a callback (the robot is gone) neither writes the index nor sets a mark', async () => {
    const { wait, documentId } = await env.open();
    const markDue = jest.spyOn(env.outbox, 'markDue');
    env.stageOf.set(documentId, 'WON');
    expect(await env.service.onDocumentChanged(M, documentId)).toBe(1);
    expect(markDue).not.toHaveBeenCalled();
    expect(await env.redis.get(env.keys.callbackIndexed(M))).toBeNull();
    expect(await env.status(wait.id)).toBe('cancelled');
  });

  it('a portal with subscriptions hears every wait.ended once, whether this process expected them or not', async () => {
    const [a, b] = [await env.open(), await env.open()];
    // Not known to this process yet: the first end goes without the event, is refused, and is made again.
    await env.redis.hset(env.keys.hookSubscriptions(M), 'h1', '{}');
    expect(await env.service.cancel(M, a.wait.id)).toBe(true);
    expect(await env.service.cancel(M, b.wait.id)).toBe(true);
    const events = await env.redis.xrange(env.keys.hookEvents(M), '-', '+');
    const ids = events.map(([, fields]) => fields[fields.indexOf('id') + 1]);
    expect(ids).toEqual([`wait.${a.wait.id}`, `wait.${b.wait.id}`]);
    expect((await env.callbacks()).size).toBe(2);
  });

  it('WaitStore.end takes no outcome: its callback would miss the index write endAndMark asks for', async () => {
    const { wait } = await env.open();
    const outcome = { returnValues: { status: 'cancelled' }, logMessage: 'x' };
    // @ts-expect-error only null: an outcome's callback needs the index write
    await expect(env.store.end(wait, 'cancelled', 'manual', outcome, env.clock.now())).rejects.toThrow(/endAndMark/);
    expect(await env.status(wait.id)).toBe('open');
    expect((await env.callbacks()).size).toBe(0);
  });

  it('a concurrent burst (ends in flight together): each writes the index at most once, one mark is confirmed', async () => {
    const waits = await Promise.all([1, 2, 3, 4, 5].map(() => env.open()));
    const markDue = jest.spyOn(env.outbox, 'markDue');
    const confirms = jest.spyOn(callbackScripts, 'confirmCallbackIndexed');
    const ended = await Promise.all(waits.map(({ wait }) => env.service.cancel(M, wait.id)));
    expect(ended).toEqual([true, true, true, true, true]);
    // Ends before the first confirm landed write the index too (a write under way), but confirm nothing.
    expect(markDue.mock.calls.length).toBeGreaterThanOrEqual(1);
    expect(markDue.mock.calls.length).toBeLessThanOrEqual(5);
    expect(confirms).toHaveBeenCalledTimes(1);
    expect(await confirms.mock.results[0]?.value).toBe(true);
    expect(Number(await indexScore())).toBe(env.clock.now());
    expect((await env.callbacks()).size).toBe(5);
  });
});
