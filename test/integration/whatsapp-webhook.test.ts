import { signatureOf } from '../../simulators/whatsapp-cloud';
import { defined } from '../helpers/defined';
import { APP_SECRET, createHarness, eventually, type Harness, LINE, VERIFY_TOKEN } from '../helpers/harness';
import { counterValue, jobLog, settled } from '../helpers/signals';

describe('WhatsApp webhook door', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await createHarness();
  });
  afterEach(async () => {
    await h.close();
  });

  const inboundCount = async () => h.redis.xlen(h.rt.keys.inboundStream(h.memberId));

  it('echoes hub.challenge for the right verify token and refuses others', async () => {
    const ok = await fetch(
      `${h.appUrl}/whatsapp/webhook?hub.mode=subscribe&hub.verify_token=${VERIFY_TOKEN}&hub.challenge=1158201444`,
    );
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe('1158201444');
    const bad = await fetch(`${h.appUrl}/whatsapp/webhook?hub.mode=subscribe&hub.verify_token=wrong&hub.challenge=1`);
    expect(bad.status).toBe(403);
  });

  it('refuses a bad or missing signature with 401 and queues nothing', async () => {
    const forged = await h.whatsapp.deliverInbound({
      phoneNumberId: LINE.phoneNumberId,
      from: '79161234567',
      message: { type: 'text', text: 'hi' },
      signWith: 'not-the-app-secret',
    });
    expect(forged.status).toBe(401);
    const unsigned = await h.whatsapp.deliverInbound({
      phoneNumberId: LINE.phoneNumberId,
      from: '79161234567',
      message: { type: 'text', text: 'hi' },
      signature: null,
    });
    expect(unsigned.status).toBe(401);
    expect(await h.rt.queues.inbound.count()).toBe(0);
    expect(await inboundCount()).toBe(0);
  });

  it('verifies the signature over the exact bytes (non-ASCII escaped) and keeps the text', async () => {
    const delivered = await h.whatsapp.deliverInbound({
      phoneNumberId: LINE.phoneNumberId,
      from: '79161234567',
      name: 'Иван',
      message: { type: 'text', text: 'Привет 👋' },
    });
    expect(delivered.status).toBe(200);
    expect(delivered.rawBody).toContain('\\u041f');
    await eventually(async () => (await inboundCount()) === 1, 10_000, 'inbound stored');
    const [entry] = await h.redis.xrange(h.rt.keys.inboundStream(h.memberId), '-', '+');
    const [, fields] = defined(entry, 'inbound stream entry');
    const asMap = Object.fromEntries(
      Array.from({ length: fields.length / 2 }, (_, i) => [fields[2 * i], fields[2 * i + 1]]),
    );
    expect(asMap).toMatchObject({ line: 'main', from: '79161234567', name: 'Иван', text: 'Привет 👋', type: 'text' });
  });

  it('processes a duplicate delivery once', async () => {
    const inbound = await jobLog(h, h.rt.queues.inbound);
    const first = await h.whatsapp.deliverInbound({
      phoneNumberId: LINE.phoneNumberId,
      from: '79161234567',
      message: { type: 'text', text: 'once' },
    });
    const again = await h.whatsapp.deliverInbound({
      phoneNumberId: LINE.phoneNumberId,
      from: '79161234567',
      message: { type: 'text', text: 'once' },
      id: first.messageId,
    });
    expect(first.status).toBe(200);
    expect(again.status).toBe(200);
    // Both deliveries were answered; the door took the second one as a duplicate.
    expect(await counterValue(h.rt.metrics.webhooks, { outcome: 'duplicate' })).toBe(1);
    // The one queued job finished, and nothing else is in flight: only then count.
    expect(await inbound.completed(1)).toEqual(['ordinary']);
    await settled(h);
    expect(await inbound.finished()).toHaveLength(1);
    expect(await inboundCount()).toBe(1);
  });

  it('delivery statuses update the stored message, read implying delivered', async () => {
    const dealId = h.portal.createDeal({ stageId: 'NEW' });
    await eventually(() => h.portal.robots().length > 0, 10_000, 'registration');
    const { run } = await h.portal.runRobot({
      code: 'wa_send_text',
      documentId: ['crm', 'CCrmDocumentDeal', `DEAL_${dealId}`],
      properties: { text: 'x', phone: '79161234567' },
    });
    const done = await h.portal.waitForRun(run.eventToken, 10_000);
    const wamid = String(done.returnValues?.message_id);
    await h.whatsapp.deliverStatus({
      phoneNumberId: LINE.phoneNumberId,
      wamid,
      status: 'read',
      recipientId: '79161234567',
    });
    await h.whatsapp.deliverStatus({
      phoneNumberId: LINE.phoneNumberId,
      wamid,
      status: 'delivered',
      recipientId: '79161234567',
    });
    const stored = await eventually(
      async () => {
        const m = await h.rt.messages.get(h.memberId, wamid);
        return m?.status === 'read' && m.deliveredAt ? m : undefined;
      },
      10_000,
      'status applied',
    );
    expect(stored.readAt).toBeGreaterThan(0);
  });

  it('answers 400 to a signed body that is not JSON', async () => {
    const body = 'not json';
    const response = await fetch(`${h.appUrl}/whatsapp/webhook`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-hub-signature-256': signatureOf(APP_SECRET, body) },
      body,
    });
    expect(response.status).toBe(400);
  });
});
