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

  it('is read under the other form of the number from the first message (GupShup never reports the wa_id)', async () => {
    expect(await customerWrites(h, 'Olá', WA_ID)).toBe('ordinary');
    clock.advance(DAY + 60_000);
    const wroteAt = clock.now();
    expect(await customerWrites(h, 'Oi de novo', WA_ID)).toBe('ordinary');
    const before = await run('wa_check_window', { phone: `+${PHONE}` });
    expect(before.values).toMatchObject({
      window_open: 'Y',
      window_state: 'open',
      last_inbound_at: new Date(Math.floor(wroteAt / 1000) * 1000).toISOString(),
    });
    // Closed for certain a day later: decided before sending, as for any number.
    clock.advance(DAY + 60_000);
    const closed = await run('wa_send_text', { phone: `+${PHONE}`, text: 'Seu pedido está pronto' });
    expect(closed.values).toMatchObject({ status: 'error', error_code: 'window_closed' });
    expect(closed.attempts).toBe(0);
  });

  it("a landline that looks like a mobile without its 9 is someone else: its messages open no window of the mobile's", async () => {
    const mobile = '5511931234567';
    expect(await customerWrites(h, 'Bom dia, aqui é a loja', '551131234567')).toBe('ordinary');
    const read = await run('wa_check_window', { phone: `+${mobile}` });
    expect(read.values).not.toMatchObject({ window_open: 'Y' });
  });
});
