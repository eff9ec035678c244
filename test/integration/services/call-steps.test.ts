import { CustomerWindowStore } from '../../../store/customer-window-store';
import { callStepsOf } from '../../../workers/call-steps';
import { line, M, PHONE, setupWaitService } from '../../helpers/wait-service-env';

/** One attempt's copy of a call's sent steps (workers/call-steps.ts) over a real Redis. */
describe('call steps: the copy one attempt reads', () => {
  let env: ReturnType<typeof setupWaitService>;
  beforeEach(() => {
    env = setupWaitService();
  });
  afterEach(async () => {
    env.redis.disconnect();
  });

  it('a "maybe sent" in the copy is read fresh: a step another live attempt recorded since is seen as sent', async () => {
    // An earlier attempt was cut off mid-send: the step is marked in flight.
    await env.messages.claimSendStep(M, 'k1', 0, env.clock.now(), '');
    const attempt = callStepsOf(env.messages, M, 'k1');
    // The copy is made here (the window decision reads it) and says "maybe".
    expect(await attempt.sentStep(M, 'k1', 0)).toBeNull();
    // Another live attempt of the same job (a stall false positive) records the step meanwhile.
    await env.messages.recordSend({
      memberId: M,
      callKey: 'k1',
      step: 0,
      providerMessageId: 'wamid.B',
      phone: PHONE,
      sentAt: env.clock.now(),
    });
    expect(await attempt.sendStep(M, 'k1', 0)).toEqual({ state: 'sent', messageId: 'wamid.B' });
  });
});

/** The steps read along with the customer's window (window-read-5.lua): one round trip for both. */
describe('call steps: read along with the window', () => {
  let env: ReturnType<typeof setupWaitService>;
  let windows: CustomerWindowStore;
  /** The message store, counting its own reads of a call's steps. */
  let reads: number;
  let counted: ReturnType<typeof setupWaitService>['messages'];
  beforeEach(() => {
    env = setupWaitService();
    windows = new CustomerWindowStore(env.redis, env.keys);
    reads = 0;
    counted = Object.assign(Object.create(env.messages), {
      callSteps: async (m: string, k: string) => {
        reads += 1;
        return env.messages.callSteps(m, k);
      },
    });
  });
  afterEach(async () => {
    env.redis.disconnect();
  });
  const windowAlong = (attempt: ReturnType<typeof callStepsOf>) =>
    attempt.along(
      async (memberId, callKey) => {
        const { window, steps } = await windows.readWithSteps(memberId, line.id, PHONE, callKey);
        return { value: window, steps };
      },
      () => windows.read(M, line.id, PHONE),
    );

  it("an attempt's first read takes the steps with the window: an earlier attempt's mark and decision, no read of its own", async () => {
    await env.messages.claimSendStep(M, 'k2', 0, env.clock.now(), '');
    await env.messages.rememberStep(M, 'k2', 'd:window', '{"as":"template"}');
    await windows.note(M, line.id, PHONE, env.clock.now() - 1000, env.clock.now());
    const attempt = callStepsOf(counted, M, 'k2');
    const window = await windowAlong(attempt);
    expect(window.lastInboundAt).toBe(Math.floor((env.clock.now() - 1000) / 1000) * 1000);
    expect(await attempt.sentStep(M, 'k2', 'd:window')).toBe('{"as":"template"}');
    expect(await attempt.sentStep(M, 'k2', 0)).toBeNull();
    expect(reads).toBe(0);
    // The "maybe" is read fresh, as from any copy: the claim the earlier attempt left stands.
    expect(await attempt.sendStep(M, 'k2', 0)).toMatchObject({ state: 'maybe' });
  });

  it('an attempt that already has its copy reads the window alone, and a write drops the copy as before', async () => {
    const attempt = callStepsOf(counted, M, 'k3');
    expect(await attempt.sentStep(M, 'k3', 'recipient')).toBeNull();
    expect(reads).toBe(1);
    await windowAlong(attempt);
    await attempt.rememberStep(M, 'k3', 'recipient', PHONE);
    expect(await attempt.sentStep(M, 'k3', 'recipient')).toBe(PHONE);
    expect(reads).toBe(2);
  });

  it('a read made while a write of the attempt is under way reads fresh, not the copy from before it', async () => {
    const attempt = callStepsOf(counted, M, 'k6');
    // The copy is made here, before any of the writes: every step is unset in it.
    expect(await attempt.sentStep(M, 'k6', 'recipient')).toBeNull();
    // Each write started, not awaited: a read issued now goes after it on the connection.
    const remembered = attempt.rememberStep(M, 'k6', 'recipient', PHONE);
    expect(await attempt.sentStep(M, 'k6', 'recipient')).toBe(PHONE);
    await remembered;
    const claimed = attempt.claimSendStep(M, 'k6', 0, env.clock.now(), '');
    expect(await attempt.sendStep(M, 'k6', 0)).toMatchObject({ state: 'maybe' });
    await claimed;
    const sent = { memberId: M, callKey: 'k6', step: 0, providerMessageId: 'wamid.k6', phone: PHONE };
    const recorded = attempt.recordSend({ ...sent, sentAt: env.clock.now() });
    expect(await attempt.sentStep(M, 'k6', 0)).toBe('wamid.k6');
    await recorded;
  });

  it('a write that throws at once comes back as a rejection, and the copy is dropped all the same', async () => {
    const throwing = Object.assign(Object.create(counted), {
      rememberStep: () => {
        throw new Error('thrown, not rejected');
      },
    });
    const attempt = callStepsOf(throwing, M, 'k7');
    expect(await attempt.sentStep(M, 'k7', 'op1')).toBeNull();
    const write = attempt.rememberStep(M, 'k7', 'op1', 'x');
    expect(write).toBeInstanceOf(Promise);
    await expect(write).rejects.toThrow('thrown, not rejected');
    await env.messages.rememberStep(M, 'k7', 'op1', 'by another');
    expect(await attempt.sentStep(M, 'k7', 'op1')).toBe('by another');
  });

  it("the read along is handed the attempt's own portal and call: its steps can only be that call's", async () => {
    await env.messages.rememberStep(M, 'k5', 'op1', 'media-5');
    await env.messages.rememberStep(M, 'other', 'op1', 'media-other');
    const attempt = callStepsOf(counted, M, 'k5');
    const handed: string[][] = [];
    await attempt.along(
      async (memberId, callKey) => {
        handed.push([memberId, callKey]);
        return { value: null, steps: await env.messages.callSteps(memberId, callKey) };
      },
      async () => null,
    );
    expect(handed).toEqual([[M, 'k5']]);
    expect(await attempt.sentStep(M, 'k5', 'op1')).toBe('media-5');
    expect(reads).toBe(0);
  });

  it('a read along that failed leaves no copy: the next read of a step goes to Redis', async () => {
    await env.messages.rememberStep(M, 'k4', 'op1', 'media-1');
    const attempt = callStepsOf(counted, M, 'k4');
    const failed = attempt.along(
      async () => Promise.reject(new Error('Connection is closed.')),
      async () => ({}),
    );
    await expect(failed).rejects.toThrow('Connection is closed.');
    expect(await attempt.sentStep(M, 'k4', 'op1')).toBe('media-1');
    expect(reads).toBe(1);
  });
});
