import { sendReaction } from '../../actions/send-reaction';
import { cloudActionRunner } from '../helpers/cloud-actions';
import type { Harness } from '../helpers/harness';
import { createManualClock, type ManualClock } from '../helpers/manual-clock';
import { robotCallContext } from '../helpers/robot-call-context';
import { createWabaHarness, customerWrites, DAY } from '../helpers/waba';
import { CUSTOMER } from '../helpers/waits';

type Body = { type?: string; reaction?: { message_id: string; emoji: string } };

// Issue 13: a reaction is free-form, so the window applies; no template can stand in for one, so
// the robot chooses between window_closed and leaving the reaction out — decided before sending.
describe('a reaction and the 24-hour window', () => {
  let h: Harness;
  let clock: ManualClock;
  const { run } = cloudActionRunner(() => h);
  beforeEach(async () => {
    clock = createManualClock(Date.now());
    h = await createWabaHarness(clock);
  });
  afterEach(async () => {
    await h.close();
  });

  it('open: the reaction goes; closed: window_closed or skipped, and nothing reaches WhatsApp', async () => {
    await customerWrites(h, 'Спасибо!');
    const open = await run('wa_send_reaction', { phone: CUSTOMER, message_id: 'wamid.customer', emoji: '👍' });
    expect(open.values).toMatchObject({ status: 'sent' });
    expect((open.bodies[0] as Body).reaction).toEqual({ message_id: 'wamid.customer', emoji: '👍' });

    clock.advance(DAY + 60_000);
    const failed = await run('wa_send_reaction', { phone: CUSTOMER, message_id: 'wamid.customer', emoji: '👍' });
    expect(failed.values).toMatchObject({ status: 'error', error_code: 'window_closed' });
    expect(failed.attempts).toBe(0);
    const skipped = await run('wa_send_reaction', {
      phone: CUSTOMER,
      message_id: 'wamid.customer',
      emoji: '👍',
      if_window_closed: 'skip',
    });
    expect(skipped.values).toMatchObject({ status: 'skipped', message_id: '', error_code: '' });
    expect(skipped.log).toContain('reaction not sent');
    expect(skipped.attempts).toBe(0);
  });

  it('unknown window: a 131047 refusal takes the same choice', async () => {
    h.whatsapp.failNext({ code: 131047 });
    const skipped = await run('wa_send_reaction', {
      phone: CUSTOMER,
      message_id: 'wamid.customer',
      emoji: '❤️',
      if_window_closed: 'skip',
    });
    expect(skipped.values).toMatchObject({ status: 'skipped' });
    expect(skipped.attempts).toBe(1);
    h.whatsapp.failNext({ code: 131047 });
    const failed = await run('wa_send_reaction', { phone: CUSTOMER, message_id: 'wamid.customer', emoji: '❤️' });
    expect(failed.values).toMatchObject({ status: 'error', error_code: 'window_closed' });
  });

  it.each(['fail', 'skip'] as const)(
    'a retry after the window closed reports the reaction the first attempt placed (%s)',
    async (choice) => {
      await customerWrites(h, 'Спасибо!');
      const input = { phone: CUSTOMER, line: '', message_id: 'wamid.customer', emoji: '👍', if_window_closed: choice };
      // One attempt of the call: a retried job builds a new context for the same call.
      const call = { code: 'wa_send_reaction', eventToken: `token-${choice}`, callKey: `k-reaction-${choice}` };
      const attempt = async () => sendReaction.run(await robotCallContext(h, call), input);
      const first = await attempt();
      expect(first.returnValues).toMatchObject({ status: 'sent' });
      clock.advance(DAY + 60_000);
      const retried = await attempt();
      expect(retried.returnValues).toEqual(first.returnValues);
      expect(h.whatsapp.sent().filter((s) => s.body.type === 'reaction')).toHaveLength(1);
    },
  );
});
