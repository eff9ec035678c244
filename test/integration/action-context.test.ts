import { connectGreenApiLine, GREEN } from '../helpers/green-api';
import { createHarness, type Harness } from '../helpers/harness';
import { robotCallContext } from '../helpers/robot-call-context';

describe('action context', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await createHarness({ startWorkers: false });
  });
  afterEach(async () => {
    await h.close();
  });

  const context = (eventToken: string, lineId = 'main') =>
    robotCallContext(h, { code: 'wa_edit_message', eventToken, callKey: `key-${eventToken}`, lineId });

  it('once(): a provider request runs once per call and step, inside the line limit; a retry gets the result back', async () => {
    let calls = 0;
    const request = async () => {
      calls += 1;
      return `result-${calls}`;
    };
    const first = await context('token-1');
    expect(await first.once(0, request)).toBe('result-1');
    const retried = await context('token-1');
    expect(await retried.once(0, request)).toBe('result-1');
    expect(await retried.once(1, request)).toBe('result-2');
    expect(calls).toBe(2);
    const line = await h.rt.lines.get(h.memberId, 'main');
    if (!line) throw new Error('no line');
    expect(await h.redis.zcard(h.rt.keys.lineRateWindow(line.phoneNumberId))).toBe(2);
  });

  it('normalizePhone() uses the portal region', async () => {
    const ctx = await context('token-2');
    expect(ctx.normalizePhone('8 (916) 123-45-67')).toBe('+79161234567');
    expect(ctx.normalizePhone('not a phone')).toBeNull();
  });

  it('recipient(): a number chosen from several is kept for the call, though a retry would choose another', async () => {
    const green = await connectGreenApiLine(h, { numbersWithoutWhatsapp: ['79990000000'] });
    try {
      const phones = '+7 999 000-00-00; +7 916 123-45-67';
      const first = await context('token-3', GREEN.lineId);
      expect(await first.recipient(phones)).toBe('79161234567');
      // The first number gets WhatsApp before the retry: a fresh choice would now take it.
      green.sim.setHasWhatsapp('79990000000', true);
      const retried = await context('token-3', GREEN.lineId);
      expect(await retried.recipient(phones)).toBe('79161234567');
      const another = await context('token-4', GREEN.lineId);
      expect(await another.recipient(phones)).toBe('79990000000');
    } finally {
      await green.close();
    }
  });
});
