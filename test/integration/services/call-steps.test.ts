import { callStepsOf } from '../../../workers/call-steps';
import { M, PHONE, setupWaitService } from '../../helpers/wait-service-env';

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
