import { eventually, type Harness, LINE } from '../helpers/harness';
import { createManualClock } from '../helpers/manual-clock';
import { jobLog } from '../helpers/signals';
import { createWabaHarness, customerWrites } from '../helpers/waba';

// Issue 13: a "wait for the customer's message" opened without any send never learns the
// customer's WhatsApp id, which for Brazil (the 9 after the area code) and Mexico (the 1 after 52)
// may differ from the number dialled; the wait is indexed under both forms, and both go at its end.
describe('wait_message for a customer whose wa_id differs from the number', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await createWabaHarness(createManualClock(Date.now()));
  });
  afterEach(async () => {
    await h.close();
  });

  async function startWait(phone: string) {
    const dealId = h.portal.createDeal({ stageId: 'NEW' });
    const calls = await jobLog(h, h.rt.queues.runAction);
    const started = await h.portal.runRobot({
      code: 'wa_wait_message',
      documentId: ['crm', 'CCrmDocumentDeal', `DEAL_${dealId}`],
      properties: { phone },
    });
    expect(started.httpStatus).toBe(200);
    expect(await calls.completed(1, 'the wait opened')).toEqual(['done']);
    return started.run.eventToken;
  }
  /** The open wait's message, once the send is recorded. */
  const linkedMessage = async () => (await h.rt.waits.store.listOpen(h.memberId))[0]?.messageId || undefined;
  const indexFields = async () => Object.keys(await h.redis.hgetall(h.rt.keys.waitIndex(h.memberId)));

  it.each([
    ['Brazil (no 9 in the wa_id)', '+55 11 98765-4321', '551187654321'],
    ['Mexico (521 in the wa_id)', '+52 55 1234 5678', '5215512345678'],
  ])('%s: the reply from the wa_id ends the wait', async (_country, dialled, waId) => {
    const token = await startWait(dialled);
    expect(await indexFields()).toEqual(expect.arrayContaining([`p:main:${waId}`]));
    expect(await customerWrites(h, 'Oi, ainda quero', waId)).toBe('taken_by_wait');
    const done = await h.portal.waitForRun(token, 10_000);
    expect(done.returnValues).toMatchObject({ status: 'answered', reply_text: 'Oi, ainda quero' });
    // Ended: neither form is left in the index.
    expect((await indexFields()).filter((f) => f.startsWith('p:'))).toEqual([]);
  });

  it('a send that learns the wa_id keeps one alias while the wait is open; a number without another form gets none', async () => {
    h.whatsapp.setWaId('5511987654321', '551187654321');
    expect(await customerWrites(h, 'Oi', '551187654321')).toBe('ordinary');
    const started = await h.portal.runRobot({
      code: 'wa_send_buttons',
      documentId: ['crm', 'CCrmDocumentDeal', `DEAL_${h.portal.createDeal({ stageId: 'NEW' })}`],
      properties: { phone: '+5511987654321', body: 'Confirma?', buttons: ['Sim', 'Não'], wait_reply: 'Y' },
    });
    expect(started.httpStatus).toBe(200);
    const sent = await eventually(() => h.whatsapp.sent()[0], 10_000, 'the buttons');
    expect(sent?.to).toBe('551187654321');
    // While the wait is open: the dialled number and exactly one alias (the learnt wa_id).
    await eventually(linkedMessage, 10_000, 'the wait linked to its message');
    expect((await indexFields()).filter((f) => f.startsWith('p:')).sort()).toEqual([
      'p:main:551187654321',
      'p:main:5511987654321',
    ]);
    await h.whatsapp.deliverInbound({
      phoneNumberId: LINE.phoneNumberId,
      from: '551187654321',
      message: { type: 'text', text: 'Não' },
    });
    const done = await h.portal.waitForRun(started.run.eventToken, 10_000);
    expect(done.returnValues).toMatchObject({ status: 'answered', answer: 'Não' });
    expect((await indexFields()).filter((f) => f.startsWith('p:'))).toEqual([]);
    await startWait('+79161234567');
    expect((await indexFields()).filter((f) => f.startsWith('p:'))).toEqual(['p:main:79161234567']);
  });

  it('a send that confirms the dialled number drops the guessed form: its owner no longer reaches the wait', async () => {
    expect(await customerWrites(h, 'Oi', '5511987654321')).toBe('ordinary');
    const started = await h.portal.runRobot({
      code: 'wa_send_buttons',
      documentId: ['crm', 'CCrmDocumentDeal', `DEAL_${h.portal.createDeal({ stageId: 'NEW' })}`],
      properties: { phone: '+5511987654321', body: 'Confirma?', buttons: ['Sim', 'Não'], wait_reply: 'Y' },
    });
    expect(started.httpStatus).toBe(200);
    await eventually(linkedMessage, 10_000, 'the wait linked to its message');
    expect((await indexFields()).filter((f) => f.startsWith('p:'))).toEqual(['p:main:5511987654321']);
    expect(await customerWrites(h, 'Não', '551187654321')).toBe('ordinary');
    expect(await customerWrites(h, 'Sim', '5511987654321')).toBe('taken_by_wait');
    const done = await h.portal.waitForRun(started.run.eventToken, 10_000);
    expect(done.returnValues).toMatchObject({ status: 'answered', answer: 'Sim' });
  });

  it('a Brazilian number whose digit after the 9 is 0-5 has no other form: a landline is never indexed', async () => {
    await startWait('+55 11 93123-4567');
    expect((await indexFields()).filter((f) => f.startsWith('p:'))).toEqual(['p:main:5511931234567']);
    expect(await customerWrites(h, 'Bom dia, aqui é a loja', '551131234567')).toBe('ordinary');
  });

  it('a wa_id WhatsApp answers replaces the guessed form in the index (the guess is not left behind)', async () => {
    // Not Meta's rule, only to tell the two apart: the answer names a third id.
    h.whatsapp.setWaId('525512345678', '5215500000000');
    await customerWrites(h, 'Hola', '5215500000000');
    const started = await h.portal.runRobot({
      code: 'wa_send_buttons',
      documentId: ['crm', 'CCrmDocumentDeal', `DEAL_${h.portal.createDeal({ stageId: 'NEW' })}`],
      properties: { phone: '+525512345678', body: '¿Confirma?', buttons: ['Sí', 'No'], wait_reply: 'Y' },
    });
    await eventually(() => h.whatsapp.sent()[0], 10_000, 'the buttons');
    await eventually(async () => (await indexFields()).includes('p:main:5215500000000'), 10_000, 'the learnt alias');
    expect((await indexFields()).filter((f) => f.startsWith('p:')).sort()).toEqual([
      'p:main:5215500000000',
      'p:main:525512345678',
    ]);
    await customerWrites(h, 'No', '5215500000000');
    const done = await h.portal.waitForRun(started.run.eventToken, 10_000);
    expect(done.returnValues).toMatchObject({ status: 'answered', answer: 'No' });
    expect((await indexFields()).filter((f) => f.startsWith('p:'))).toEqual([]);
  });
});
