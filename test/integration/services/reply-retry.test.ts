import { inboundOn, storedLine } from '../../helpers/inbound-on-wait-service';
import { M, setupWaitService, tap, text, type WaitServiceEnv } from '../../helpers/wait-service-env';

/**
 * A reply job that ran the wait-end script and then failed (the index write timed out) or died runs
 * again: it finds its own claim, so the reply stays taken (not relayed as an ordinary message) and
 * the callback's portal is written into the global index again, not left to the sweep.
 */
describe('a reply job run again after its wait end', () => {
  let env: WaitServiceEnv;
  afterEach(() => env.redis.disconnect());

  async function setup() {
    env = setupWaitService();
    const appended: string[] = [];
    const deliver = inboundOn(env, await storedLine(env), {
      ordinary: { append: async (_m, message) => void appended.push(message.id) },
      waitEndedBy: (memberId, messageId) => env.store.waitEndedBy(memberId, messageId),
    });
    return { deliver, appended };
  }
  const indexed = () => env.redis.zscore(env.keys.callbackPortals(), M);

  it.each([
    ['retried after the failure', { attemptsMade: 1, attemptsStarted: 2 }],
    ['run again after its worker died (stalled)', { attemptsMade: 0, attemptsStarted: 2 }],
  ])('%s: taken, and the index written', async (_name, again) => {
    const s = await setup();
    const { wait, eventToken } = await env.open();
    jest.spyOn(env.outbox, 'markDue').mockRejectedValueOnce(new Error('index node timed out'));
    const event = tap(wait.buttons[0]?.id ?? '', 'Yes');
    await expect(s.deliver(event, { attemptsMade: 0, attemptsStarted: 1 })).rejects.toThrow(/timed out/);
    expect(await indexed()).toBeNull();
    expect(await s.deliver(event, again)).toBe('taken_by_wait');
    expect(s.appended).toEqual([]);
    expect(await env.status(wait.id)).toBe('answered');
    expect((await env.callbacks()).get(eventToken)?.returnValues).toMatchObject({ answer: 'Yes' });
    expect(await indexed()).not.toBeNull();
  });

  it('a tap whose job runs twice at once (a stall while the first run lives): the second run finds the wait ended by the first and counts the reply taken', async () => {
    const s = await setup();
    const { wait } = await env.open();
    const event = tap(wait.buttons[0]?.id ?? '', 'Yes');
    const first = { attemptsMade: 0, attemptsStarted: 1 };
    // The second run read the wait open; the first run ends it just before the second's end script runs.
    const end = env.store.endAndMark.bind(env.store);
    let firstRun: Promise<string> | undefined;
    jest.spyOn(env.store, 'endAndMark').mockImplementationOnce(async (...args) => {
      firstRun = s.deliver(event, first);
      await firstRun;
      return end(...args);
    });
    expect(await s.deliver(event, first)).toBe('taken_by_wait');
    expect(await firstRun).toBe('taken_by_wait');
    expect(s.appended).toEqual([]);
    expect(await env.status(wait.id)).toBe('answered');
  });

  it('its last attempt failing after the claim: the reply stays taken (the callback to the index sweep), never passed on as well', async () => {
    const s = await setup();
    const { wait, eventToken } = await env.open();
    jest.spyOn(env.outbox, 'markDue').mockRejectedValueOnce(new Error('index node timed out'));
    const event = tap(wait.buttons[0]?.id ?? '', 'Yes');
    expect(await s.deliver(event, { attemptsMade: 7, attemptsStarted: 8 })).toBe('taken_by_wait');
    expect(s.appended).toEqual([]);
    expect(await env.status(wait.id)).toBe('answered');
    expect((await env.callbacks()).get(eventToken)?.returnValues).toMatchObject({ answer: 'Yes' });
  });

  it('run twice (a duplicate job): the reply that ended one wait takes no other, and the index is written', async () => {
    const s = await setup();
    const older = await env.open();
    const newer = await env.open();
    jest.spyOn(env.outbox, 'markDue').mockRejectedValueOnce(new Error('index node timed out'));
    const event = text('Yes');
    await expect(s.deliver(event, {})).rejects.toThrow(/timed out/);
    expect(await env.status(newer.wait.id)).toBe('answered');
    expect(await s.deliver(event, {})).toBe('taken_by_wait');
    expect(await env.status(older.wait.id)).toBe('open');
    expect(await indexed()).not.toBeNull();
  });
});
