import { cloudActionRunner } from '../helpers/cloud-actions';
import type { Harness } from '../helpers/harness';
import { createManualClock, type ManualClock } from '../helpers/manual-clock';
import { createWabaHarness, customerWrites, DAY } from '../helpers/waba';

const PHONE = '5511987654321';
/** Meta's quirk: the Brazilian customer's WhatsApp id lacks the 9 of the number typed. */
const WA_ID = '551187654321';

// Review of issue 13 (finding 4): the window is kept under the wa_id inbound messages carry and
// read by the number a robot names; they differ for some countries.
describe('the 24-hour window of a customer whose wa_id differs from their number', () => {
  let h: Harness;
  let clock: ManualClock;
  const { run } = cloudActionRunner(() => h);
  beforeEach(async () => {
    clock = createManualClock(Date.now());
    h = await createWabaHarness(clock);
    h.whatsapp.setWaId(PHONE, WA_ID);
  });
  afterEach(async () => {
    await h.close();
  });

  it('is unknown (not closed) until a send teaches the wa_id, then read under it', async () => {
    expect(await customerWrites(h, 'Olá', WA_ID)).toBe('ordinary');
    // The line has been tracked a whole window: for a number heard under itself, "nothing heard" would mean closed.
    clock.advance(DAY + 60_000);
    const wroteAt = clock.now();
    expect(await customerWrites(h, 'Oi de novo', WA_ID)).toBe('ordinary');
    const before = await run('wa_check_window', { phone: `+${PHONE}` });
    expect(before.values).toMatchObject({ window_state: 'unknown' });
    // WhatsApp decides: the window is open there, so the text goes as itself.
    const text = await run('wa_send_text', { phone: `+${PHONE}`, text: 'Seu pedido está pronto' });
    expect(text.values).toMatchObject({ status: 'sent', sent_as: 'message' });
    const after = await run('wa_check_window', { phone: `+${PHONE}` });
    expect(after.values).toMatchObject({
      window_open: 'Y',
      window_state: 'open',
      last_inbound_at: new Date(Math.floor(wroteAt / 1000) * 1000).toISOString(),
    });
  });
});
