import { waitScripts } from '../../../redis/wait-scripts';
import { encodeButtonId } from '../../../waits/button-id';
import { claimStorageFormat } from '../../../waits/storage-format';
import { HOUR, line, M, setupWaitService, tap, type WaitServiceEnv } from '../../helpers/wait-service-env';

const WEEK_MS = 7 * 86400_000;

/** Where each layout keeps a wait (redis/lua/lib/wait-record.lua), checked against real Redis. */
describe('wait storage: both layouts, moves and the packed form through the scripts (real Redis)', () => {
  let env: WaitServiceEnv;
  beforeEach(() => {
    env = setupWaitService();
  });
  afterEach(() => {
    env.redis.disconnect();
  });

  const field = (waitId: string) => env.keys.waitIndexWaitField(waitId);

  /**
   * Rewrites an open wait as the release before the wait-index layout stored it (git show
   * f32492e:waits/stored-wait.ts, toStored): its own key without a TTL, `status: 'open'`, the
   * short form's t/l/d/s/c/e/g and the titles as `b`, no `z`.
   */
  async function asPreviousRelease(waitId: string): Promise<void> {
    const raw = await env.redis.hget(env.keys.waitIndex(M), field(waitId));
    const { z, ...rest } = JSON.parse(raw ?? '{}') as Record<string, unknown>; // cast: a stored wait is a JSON object
    if (typeof z !== 'string') throw new Error(`wait ${waitId} has no packed field`);
    const [t, l, d, s, c, e, g, ...b] = z.split('~');
    const old = { t, l, d, s: s || undefined, c, e, g: g || undefined, b: b.length ? b : undefined, status: 'open' };
    await env.redis.hdel(env.keys.waitIndex(M), field(waitId));
    await env.redis.set(env.keys.wait(M, waitId), JSON.stringify({ ...rest, ...old }));
  }

  /** The wait ended: moved out of the index hash to its own key, kept about a week. */
  async function expectMovedToOwnKey(waitId: string): Promise<void> {
    expect(await env.redis.hexists(env.keys.waitIndex(M), field(waitId))).toBe(0);
    const ttl = await env.redis.pttl(env.keys.wait(M, waitId));
    expect(ttl).toBeGreaterThan(WEEK_MS - 60_000);
    expect(ttl).toBeLessThanOrEqual(WEEK_MS);
  }

  it('an open wait of the previous release answers two taps at once exactly once', async () => {
    const a = await env.open();
    await asPreviousRelease(a.wait.id);
    expect(await env.status(a.wait.id)).toBe('open');
    const [yes, no] = a.wait.buttons.map((b) => b.id);
    const taken = await Promise.all([
      env.service.takeReply(line, tap(yes ?? '', 'Yes')),
      env.service.takeReply(line, tap(no ?? '', 'No')),
    ]);
    expect(taken.filter(Boolean)).toHaveLength(1);
    const sent = await env.callbacks();
    expect(sent.size).toBe(1);
    expect(sent.get(a.eventToken)?.returnValues).toMatchObject({ status: 'answered', message_id: a.messageId });
    await expectMovedToOwnKey(a.wait.id);
    expect(await env.redis.hgetall(env.keys.waitIndex(M))).toEqual({});
  });

  it('an open wait of the previous release, a tap and its time-out at once: ended once', async () => {
    const start = env.clock.now();
    const a = await env.open({ timeoutMs: HOUR });
    await asPreviousRelease(a.wait.id);
    env.clock.set(start + HOUR);
    const [took, due] = await Promise.all([
      env.service.takeReply(line, tap(encodeButtonId(a.wait.id, 1), 'Yes')),
      env.service.drainDeadlines(),
    ]);
    // The drain counts the due waits it found: none when the tap ended the wait first, one otherwise
    // (then either may have ended it); which of the two did shows in its status.
    expect(due).toBeLessThanOrEqual(1);
    if (!took) expect(due).toBe(1);
    expect(await env.status(a.wait.id)).toBe(took ? 'answered' : 'timeout');
    const sent = await env.callbacks();
    expect(sent.size).toBe(1);
    expect(sent.get(a.eventToken)?.returnValues.status).toBe(took ? 'answered' : 'timeout');
    await expectMovedToOwnKey(a.wait.id);
    expect(await env.redis.zcard(env.keys.openWaits(M))).toBe(0);
  });

  it('an ended wait (this layout) has its own key with a week-long TTL and no index field', async () => {
    const a = await env.open();
    expect(await env.redis.exists(env.keys.wait(M, a.wait.id))).toBe(0);
    expect(await env.service.cancel(M, a.wait.id)).toBe(true);
    await expectMovedToOwnKey(a.wait.id);
    expect(await env.status(a.wait.id)).toBe('cancelled');
  });

  it('a retried open after the wait ended does not open it again', async () => {
    const a = await env.open();
    expect(await env.service.cancel(M, a.wait.id)).toBe(true);
    const { status: _s, reasks: _r, endedAt: _e, endReason: _why, waId: _wa, ...input } = a.wait;
    const again = await env.store.open(input);
    expect(again).toMatchObject({ created: false, wait: { id: a.wait.id, status: 'cancelled' } });
    expect(await env.redis.hgetall(env.keys.waitIndex(M))).toEqual({});
    expect(await env.redis.zscore(env.keys.openWaits(M), a.wait.id)).toBeNull();
  });

  it('packed titles (unicode, empty) survive the scripts’ rewrites and come back in the callback', async () => {
    const titles = ['Да ✅', '', '😀 «ok»'];
    const a = await env.open({ titles });
    const raw = await env.redis.hget(env.keys.waitIndex(M), field(a.wait.id));
    // Written by wait-update-2 (the sent message's link): cjson decoded and encoded it again.
    expect(JSON.parse(raw ?? '{}')).toMatchObject({ z: expect.stringContaining('~Да ✅~~😀 «ok»'), m: a.messageId });
    expect((await env.store.get(M, a.wait.id))?.buttons.map((b) => b.title)).toEqual(titles);
    expect(await env.service.takeReply(line, tap(encodeButtonId(a.wait.id, 3), '😀 «ok»'))).toBe(true);
    expect((await env.callbacks()).get(a.eventToken)?.returnValues).toMatchObject({
      status: 'answered',
      answer: '😀 «ok»',
      answer_index: '3',
      message_id: a.messageId,
    });
    expect((await env.store.get(M, a.wait.id))?.buttons.map((b) => b.title)).toEqual(titles);
  });

  it('a title holding the separator keeps the fields one by one, through the scripts and the end', async () => {
    const a = await env.open({ titles: ['a~b', 'Нет'] });
    const stored = JSON.parse((await env.redis.hget(env.keys.waitIndex(M), field(a.wait.id))) ?? '{}');
    expect(stored).toMatchObject({ b: ['a~b', 'Нет'], m: a.messageId });
    expect(stored.z).toBeUndefined();
    expect(await env.service.takeReply(line, tap(encodeButtonId(a.wait.id, 1), 'a~b'))).toBe(true);
    expect((await env.callbacks()).get(a.eventToken)?.returnValues).toMatchObject({ answer: 'a~b', answer_index: '1' });
    expect((await env.store.get(M, a.wait.id))?.buttons.map((b) => b.title)).toEqual(['a~b', 'Нет']);
  });

  it('refuses a status patch that would end an open wait in place; the wait stays open and ends normally', async () => {
    const a = await env.open();
    const keys = { wait: env.keys.wait(M, a.wait.id), index: env.keys.waitIndex(M) };
    await expect(waitScripts.updateWait(env.redis, keys, field(a.wait.id), { status: 'cancelled' })).rejects.toThrow(
      /ends only through endWait/,
    );
    await expect(env.store.markWorkflowGone(M, a.wait.id)).rejects.toThrow(/ends only through endWait/);
    expect(await env.status(a.wait.id)).toBe('open');
    expect(await env.service.cancel(M, a.wait.id)).toBe(true);
    await expectMovedToOwnKey(a.wait.id);
    // Once ended (its own key) the portal's "workflow gone" still marks it.
    await env.store.markWorkflowGone(M, a.wait.id);
    expect(await env.store.get(M, a.wait.id)).toMatchObject({ status: 'cancelled', endReason: 'workflow_gone' });
  });

  it('the storage-format mark: set on a fresh Redis or beside old-layout waits, refused when another layout set it', async () => {
    const key = env.keys.storageFormat();
    const a = await env.open();
    await asPreviousRelease(a.wait.id);
    await claimStorageFormat(env.redis, key);
    expect(await env.redis.get(key)).toBe('2');
    await claimStorageFormat(env.redis, key);
    await env.redis.set(key, '3');
    await expect(claimStorageFormat(env.redis, key)).rejects.toThrow(/wait storage format 3, this release writes 2/);
  });
});
