import { CONNECTOR_ID } from '../../../openlines/connector';
import { eventually, type Harness } from '../../helpers/harness';
import { startButtonsWait } from '../../helpers/waits';
import { apiToken, callApi } from '../../helpers/webhook-api';
import { CHAT_ID, CUSTOMER, chatWith, customerOpensChat, openLineHarness } from './openline-helpers';

describe('open lines: robot messages with "also show in the open-line chat"', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await openLineHarness();
  });
  afterEach(async () => {
    await h.close();
  });

  it('appear in the customer chat as a business-side system line, buttons by their titles', async () => {
    await customerOpensChat(h);
    await startButtonsWait(h, { phone: CUSTOMER, properties: { show_in_chat: 'Y' } });
    const chat = await chatWith(h, 2);
    expect(chat.messages[1]).toMatchObject({
      author: 'system',
      text: 'Sent to the customer on WhatsApp: Подтвердите запись\nButtons: Да | Нет | Перенести',
    });
  });

  it('without the flag nothing appears; with no chat yet it is posted as the installing user and its echo is not sent back', async () => {
    await startButtonsWait(h, { phone: CUSTOMER });
    const sentBefore = h.whatsapp.sent().length;
    await startButtonsWait(h, { phone: CUSTOMER, properties: { show_in_chat: 'Y', body: 'Your order is ready' } });
    const chat = await chatWith(h, 1);
    expect(chat.messages).toHaveLength(1);
    expect(chat.messages[0]).toMatchObject({
      author: 'operator',
      text: expect.stringContaining('Your order is ready'),
    });
    // The portal's echo of that message reaches the app and is confirmed, not sent to WhatsApp again.
    await eventually(() => chat.messages[0]?.delivered, 10_000, 'the echo confirmed');
    expect(h.whatsapp.sent().length).toBe(sentBefore + 1);
  });

  it('a number whose WhatsApp id differs (BR/MX) shows the robot message in the chat of that WhatsApp id', async () => {
    await customerOpensChat(h);
    const dialled = '79990001199';
    h.whatsapp.setWaId(dialled, CUSTOMER);
    await startButtonsWait(h, { phone: dialled, properties: { show_in_chat: 'Y', body: 'Your order is ready' } });
    const chat = await chatWith(h, 2);
    expect(chat.messages[1]).toMatchObject({ author: 'system', text: expect.stringContaining('Your order is ready') });
  });

  it("the webhook API's send_to_imol=Y shows its message in the chat the same way", async () => {
    await customerOpensChat(h);
    const { token } = await apiToken(h);
    const sent = await callApi(h.appUrl, token, 'sendText', {
      phone_number: `+${CUSTOMER}`,
      body: 'Your invoice is ready',
      send_to_imol: 'Y',
      wait: 'Y',
    });
    expect(sent.body).toMatchObject({ ok: true, result: { status: 'sent' } });
    const chat = await chatWith(h, 2);
    expect(chat.messages[1]).toMatchObject({
      author: 'system',
      text: 'Sent to the customer on WhatsApp: Your invoice is ready',
    });
  });
});

describe('open lines: a portal that did not grant the `im` scope', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await openLineHarness({
      portalScope: ['crm', 'bizproc', 'placement', 'user_brief', 'imopenlines', 'imconnector'],
    });
  });
  afterEach(async () => {
    await h.close();
  });

  it('refuses im.message.add (insufficient_scope): the robot message is posted through the connector, its echo not sent back', async () => {
    await customerOpensChat(h);
    const sentBefore = h.whatsapp.sent().length;
    await startButtonsWait(h, { phone: CUSTOMER, properties: { show_in_chat: 'Y', body: 'Your order is ready' } });
    const chat = await chatWith(h, 2);
    expect(chat.messages[1]).toMatchObject({
      author: 'operator',
      text: expect.stringContaining('Your order is ready'),
    });
    await eventually(() => chat.messages[1]?.delivered, 10_000, 'the echo confirmed');
    expect(h.whatsapp.sent().length).toBe(sentBefore + 1);
    expect(h.portal.stats().byMethod['im.message.add']).toBe(1);
  });

  it('a refusal note the app may not post as a system line reaches the chat through the connector; its echo is not sent', async () => {
    await customerOpensChat(h);
    h.whatsapp.failNext({ code: 131047 });
    await h.portal.operatorWrites({ connector: CONNECTOR_ID, line: 1, chatId: CHAT_ID, text: 'Are you there?' });
    const chat = await chatWith(h, 3);
    expect(chat.messages[2]).toMatchObject({
      author: 'operator',
      text: 'Not sent to WhatsApp: More than 24 hours since the customer last wrote: send a template first',
    });
    // The note's own echo event is recognised and confirmed, never sent to the customer.
    await eventually(() => chat.messages[2]?.delivered, 10_000, 'the echo confirmed');
    expect(h.whatsapp.sent().filter((s) => s.to === CUSTOMER)).toHaveLength(0);
  });

  it('two identical robot texts posted through the connector: both echoes are recognised and confirmed with their wamids', async () => {
    await startButtonsWait(h, { phone: CUSTOMER });
    const sentBefore = h.whatsapp.sent().length;
    const same = { show_in_chat: 'Y', body: 'Your order is ready' };
    await startButtonsWait(h, { phone: CUSTOMER, properties: same });
    await startButtonsWait(h, { phone: CUSTOMER, properties: same });
    const chat = await chatWith(h, 2);
    await eventually(() => chat.messages.every((m) => m.delivered), 10_000, 'both echoes confirmed');
    // Only the two robot messages went to WhatsApp: neither echo was sent again.
    const robotSends = h.whatsapp.sent().slice(sentBefore);
    expect(robotSends).toHaveLength(2);
    expect(chat.messages.map((m) => m.connectorMid[0]).sort()).toEqual(robotSends.map((s) => s.wamid).sort());
  });
});
