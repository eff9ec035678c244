import { encodeButtonId } from '../../../waits/button-id';
import {
  HOUR,
  line,
  M,
  openWaitOnAliasedSend,
  PHONE,
  setupWaitService,
  tap,
  text,
  type WaitServiceEnv,
} from '../../helpers/wait-service-env';

describe('wait service: which wait a message ends (real Redis)', () => {
  let env: WaitServiceEnv;
  beforeEach(() => {
    env = setupWaitService();
  });
  afterEach(() => {
    env.redis.disconnect();
  });

  it('a tap answers the wait its button id names, not another open wait of the same phone', async () => {
    const a = await env.open();
    const b = await env.open();
    const [, no] = a.wait.buttons;
    if (!no) throw new Error('no second button');
    expect(await env.service.takeReply(line, tap(no.id, 'No'))).toBe(true);
    expect(await env.status(a.wait.id)).toBe('answered');
    expect(await env.status(b.wait.id)).toBe('open');
    const sent = await env.callbacks();
    expect(sent.size).toBe(1);
    expect(sent.get(a.eventToken)?.returnValues).toMatchObject({
      status: 'answered',
      answer: 'No',
      answer_index: '2',
      answer_id: no.id,
      message_id: a.messageId,
    });
  });

  it("a tap of an ended wait's old button answers nothing", async () => {
    const a = await env.open();
    expect(await env.service.cancel(M, a.wait.id)).toBe(true);
    const b = await env.open();
    expect(await env.service.takeReply(line, tap(encodeButtonId(a.wait.id, 1), 'Yes'))).toBe(false);
    expect(await env.status(b.wait.id)).toBe('open');
    expect([...(await env.callbacks()).values()].map((c) => c.returnValues.status)).toEqual(['cancelled']);
  });

  it('a quoted reply goes to the quoted wait, or nowhere once that wait ended', async () => {
    const a = await env.open();
    const b = await env.open();
    expect(await env.service.takeReply(line, text('yes', { context: { id: a.messageId } }))).toBe(true);
    expect(await env.status(a.wait.id)).toBe('answered');
    expect(await env.status(b.wait.id)).toBe('open');
    // The newer wait would match "yes", but the customer quoted the ended one.
    expect(await env.service.takeReply(line, text('yes', { context: { id: a.messageId } }))).toBe(false);
    expect(await env.status(b.wait.id)).toBe('open');
    expect(await env.outbox.pendingCount(M)).toBe(1);
  });

  it('text goes to the newest open wait it matches, skipping newer ones it does not match', async () => {
    const a = await env.open({ titles: ['Red', 'Blue'] });
    const b = await env.open({ titles: ['Red', 'Green'] });
    const c = await env.open({ titles: ['Yes', 'No'] });
    expect(await env.service.takeReply(line, text(' RED '))).toBe(true);
    expect([await env.status(a.wait.id), await env.status(b.wait.id), await env.status(c.wait.id)]).toEqual([
      'open',
      'answered',
      'open',
    ]);
    const taken = (await env.callbacks()).get(b.eventToken);
    expect(taken?.returnValues).toMatchObject({ answer: 'Red', answer_index: '1', reply_text: ' RED ' });
    expect(taken?.logMessage).toContain('newest of 3 open waits');
  });

  it('off-script text re-asks at most reaskMax times, counting each inbound message once, then is ignored', async () => {
    const a = await env.open({ options: { reaskMax: 2, reaskText: 'Pick one' } });
    const first = text('maybe');
    expect(await env.service.takeReply(line, first)).toBe(false);
    // The same message again (its job ran twice): re-sent, never counted twice.
    expect(await env.service.takeReply(line, first)).toBe(false);
    expect((await env.store.get(M, a.wait.id))?.reasks).toBe(1);
    expect(await env.service.takeReply(line, text('perhaps'))).toBe(false);
    expect((await env.store.get(M, a.wait.id))?.reasks).toBe(2);
    expect(env.sendReask).toHaveBeenCalledTimes(3);
    expect(env.sendReask).toHaveBeenLastCalledWith(line, {
      to: PHONE,
      content: { type: 'text', body: 'Pick one' },
      replyTo: a.messageId,
    });
    expect(await env.service.takeReply(line, text('whatever'))).toBe(false);
    expect(env.sendReask).toHaveBeenCalledTimes(3);
    expect(await env.status(a.wait.id)).toBe('open');
    expect(await env.outbox.pendingCount(M)).toBe(0);
  });

  it('off-script text past the re-asks ends the wait with an empty answer when afterReask is "end"', async () => {
    const a = await env.open({ options: { reaskMax: 1, afterReask: 'end' } });
    expect(await env.service.takeReply(line, text('maybe'))).toBe(false);
    const last = text('later');
    expect(await env.service.takeReply(line, last)).toBe(true);
    expect(await env.status(a.wait.id)).toBe('answered');
    expect((await env.callbacks()).get(a.eventToken)?.returnValues).toMatchObject({
      status: 'answered',
      answer: '',
      reply_text: 'later',
      reply_message_id: last.id,
    });
  });

  it('a reply ends at most one wait, even when offered twice', async () => {
    const a = await env.open();
    const b = await env.open();
    const reply = text('Yes');
    expect(await env.service.takeReply(line, reply)).toBe(true);
    // The retried job now finds only the older wait: the reply is taken, and that wait stays open.
    expect(await env.service.takeReply(line, reply)).toBe(true);
    expect(await env.status(b.wait.id)).toBe('answered');
    expect(await env.status(a.wait.id)).toBe('open');
    expect(await env.outbox.pendingCount(M)).toBe(1);
  });

  it("a robot wait whose document left the stage ends silently and takes nothing; an activity's ignores the stage", async () => {
    const robot = await env.open();
    env.stageOf.set(robot.documentId, 'WON');
    expect(await env.service.takeReply(line, tap(encodeButtonId(robot.wait.id, 1), 'Yes'))).toBe(false);
    expect(await env.store.get(M, robot.wait.id)).toMatchObject({ status: 'cancelled', endReason: 'stage_changed' });
    expect(await env.outbox.pendingCount(M)).toBe(0);
    // The answer's time zone is read only for an answer that is taken.
    expect(env.timeZoneOf).not.toHaveBeenCalled();

    env.stages.read.mockClear();
    const activity = await env.open({ kind: 'activity' });
    env.stageOf.set(activity.documentId, 'WON');
    expect(await env.service.takeReply(line, tap(encodeButtonId(activity.wait.id, 2), 'No'))).toBe(true);
    expect(env.stages.read).not.toHaveBeenCalled();
    expect((await env.callbacks()).get(activity.eventToken)?.returnValues).toMatchObject({
      status: 'answered',
      answer: 'No',
    });
    expect(env.timeZoneOf).toHaveBeenCalledTimes(1);
  });

  it('times out through the deadline set and the drain, on the injected clock, with a timeout callback', async () => {
    const start = env.clock.now();
    const a = await env.open({ timeoutMs: HOUR });
    const b = await env.open({ timeoutMs: 3 * HOUR });
    // The deadline is a member of the portal's deadline set; the portal is indexed by its earliest one.
    expect(Number(await env.redis.zscore(env.keys.openWaits(M), a.wait.id))).toBe(start + HOUR);
    expect(Number(await env.redis.zscore(env.keys.waitDeadlinePortals(), M))).toBe(start + HOUR);
    env.clock.set(start + HOUR - 1);
    expect(await env.service.drainDeadlines()).toBe(0);
    expect(await env.status(a.wait.id)).toBe('open');
    env.clock.set(start + HOUR);
    expect(await env.service.drainDeadlines()).toBe(1);
    expect(await env.store.get(M, a.wait.id)).toMatchObject({
      status: 'timeout',
      endReason: 'timeout',
      endedAt: start + HOUR,
    });
    expect((await env.callbacks()).get(a.eventToken)?.returnValues).toMatchObject({
      status: 'timeout',
      answer: '',
      message_id: a.messageId,
    });
    // Ended exactly once: a second drain (or the old delayed job) finds nothing to end.
    expect(await env.service.drainDeadlines()).toBe(0);
    await env.service.onTimeout(M, a.wait.id);
    expect(await env.outbox.pendingCount(M)).toBe(1);
    expect(await env.redis.zrange(env.keys.openWaits(M), 0, -1)).toEqual([b.wait.id]);
    expect(Number(await env.redis.zscore(env.keys.waitDeadlinePortals(), M))).toBe(start + 3 * HOUR);
    env.clock.set(start + 3 * HOUR);
    expect(await env.service.drainDeadlines()).toBe(1);
    expect(await env.status(b.wait.id)).toBe('timeout');
    // No open wait left: the portal leaves the index.
    expect(await env.redis.zscore(env.keys.waitDeadlinePortals(), M)).toBeNull();
  });

  it('a portal whose stage cannot be read is drained again 30 s later, not every run', async () => {
    const start = env.clock.now();
    const a = await env.open({ timeoutMs: HOUR });
    env.stages.read.mockRejectedValueOnce(new Error('portal unreachable'));
    env.clock.set(start + HOUR);
    expect(await env.service.drainDeadlines()).toBe(0);
    expect(await env.status(a.wait.id)).toBe('open');
    expect(Number(await env.redis.zscore(env.keys.waitDeadlinePortals(), M))).toBe(start + HOUR + 30_000);
    env.clock.set(start + HOUR + 30_000);
    expect(await env.service.drainDeadlines()).toBe(1);
    expect(await env.status(a.wait.id)).toBe('timeout');
  });

  it('a wait ended by a reply leaves the deadline set in the same step; the drain never ends it', async () => {
    const start = env.clock.now();
    const a = await env.open({ timeoutMs: HOUR });
    expect(await env.service.takeReply(line, tap(encodeButtonId(a.wait.id, 1), 'Yes'))).toBe(true);
    expect(await env.redis.zscore(env.keys.openWaits(M), a.wait.id)).toBeNull();
    env.clock.set(start + HOUR);
    expect(await env.service.drainDeadlines()).toBe(0);
    expect(await env.status(a.wait.id)).toBe('answered');
    expect((await env.callbacks()).get(a.eventToken)?.returnValues.status).toBe('answered');
  });

  it('the overdue sweep ends only waits whose deadline is more than the grace before now (stage not read)', async () => {
    const start = env.clock.now();
    const soon = await env.open({ timeoutMs: HOUR });
    const later = await env.open({ timeoutMs: 3 * HOUR });
    env.stageOf.set(soon.documentId, 'WON');
    const grace = 10 * 60_000;
    env.clock.set(start + HOUR + grace - 1);
    expect(await env.service.sweepOverdue(M, grace)).toBe(0);
    expect(await env.status(soon.wait.id)).toBe('open');
    env.clock.set(start + HOUR + grace + 1);
    expect(await env.service.sweepOverdue(M, grace)).toBe(1);
    expect(await env.status(soon.wait.id)).toBe('timeout');
    expect(await env.status(later.wait.id)).toBe('open');
    // Its timer job failed for good: the robot gets its timeout even though the stage cannot be checked.
    expect((await env.callbacks()).get(soon.eventToken)?.returnValues.status).toBe('timeout');
  });

  it('an operator reply ends only the waits that asked for it', async () => {
    const a = await env.open({ options: { stopOnOperator: true } });
    const b = await env.open();
    expect(await env.service.onOperatorReply(M, 'main', PHONE)).toBe(1);
    expect(await env.store.get(M, a.wait.id)).toMatchObject({ status: 'cancelled', endReason: 'operator_replied' });
    expect(await env.status(b.wait.id)).toBe('open');
  });
});

describe('wait service: the wa_id alias (real Redis)', () => {
  let env: WaitServiceEnv;
  beforeEach(() => {
    env = setupWaitService();
  });
  afterEach(() => {
    env.redis.disconnect();
  });

  const WA_ID = '5511987654321';

  /** A wait whose message Meta answered with a wa_id other than the number sent to. */
  async function aliased() {
    const a = await openWaitOnAliasedSend(env, WA_ID);
    expect(a.messageId).toBe('wamid.out1');
    return a;
  }

  it('takes a reply from the wa_id, and ending the wait leaves no index field behind', async () => {
    const a = await aliased();
    const aliasField = env.keys.waitIndexPhoneField('main', WA_ID);
    expect(await env.redis.hget(env.keys.waitIndex(M), aliasField)).toBe(a.wait.id);
    const openField = env.keys.waitIndexWaitField(a.wait.id);
    expect(JSON.parse((await env.redis.hget(env.keys.waitIndex(M), openField)) ?? '{}')).toMatchObject({
      wa: WA_ID,
      waf: aliasField,
    });
    expect(await env.service.takeReply(line, { ...text('No'), from: WA_ID })).toBe(true);
    expect((await env.callbacks()).get(a.eventToken)?.returnValues).toMatchObject({ status: 'answered', answer: 'No' });
    expect(await env.redis.hgetall(env.keys.waitIndex(M))).toEqual({});
  });

  it("clears the alias the stored wait names even when the caller's copy predates the alias", async () => {
    const a = await aliased();
    expect(await env.store.end({ ...a.wait, waId: '' }, 'cancelled', 'manual', null, env.clock.now())).toBe('claimed');
    expect(await env.redis.hgetall(env.keys.waitIndex(M))).toEqual({});
  });

  it('also clears the alias of a wait stored before the alias field was (the caller names it)', async () => {
    const a = await aliased();
    // As an older release kept it: its own key (not a field of the wait index), no alias field.
    const field = env.keys.waitIndexWaitField(a.wait.id);
    const raw = await env.redis.hget(env.keys.waitIndex(M), field);
    const { waf: _dropped, ...old } = JSON.parse(raw ?? '{}') as Record<string, unknown>; // cast: a stored wait is a JSON object
    await env.redis.hdel(env.keys.waitIndex(M), field);
    await env.redis.set(env.keys.wait(M, a.wait.id), JSON.stringify(old));
    expect(await env.service.cancel(M, a.wait.id)).toBe(true);
    expect(await env.redis.hgetall(env.keys.waitIndex(M))).toEqual({});
  });
});
