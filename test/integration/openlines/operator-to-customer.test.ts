import { CONNECTOR_ID } from '../../../openlines/connector';
import { eventually, type Harness } from '../../helpers/harness';
import { acceptedSends, startButtonsWait, waitField } from '../../helpers/waits';
import { CHAT_ID, CUSTOMER, chatWith, customerOpensChat, openLineHarness } from './openline-helpers';

describe('open lines: operator → customer', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await openLineHarness();
    await customerOpensChat(h);
  });
  afterEach(async () => {
    await h.close();
  });

  const operator = (input: { text?: string; files?: Array<{ name: string; bytes: Buffer; contentType: string }> }) =>
    h.portal.operatorWrites({ connector: CONNECTOR_ID, line: 1, chatId: CHAT_ID, ...input });
  const sentTo = () => h.whatsapp.sent().filter((s) => s.to === CUSTOMER);

  it('text goes to WhatsApp with BB-codes converted, and the chat gets the delivery status with the wamid', async () => {
    const written = await operator({ text: '[b]Klaus:[/b][br] Your sofa [i]ships[/i] today' });
    const [sent] = await eventually(() => (sentTo().length === 1 ? sentTo() : undefined), 10_000, 'WhatsApp send');
    expect(sent?.body).toMatchObject({ type: 'text', text: { body: '*Klaus:*\n Your sofa _ships_ today' } });
    const chat = await chatWith(h, 2);
    const message = await eventually(
      () => chat.messages.find((m) => m.id === written.messageId && m.delivered),
      10_000,
      'status.delivery',
    );
    expect(message.connectorMid).toEqual([sent?.wamid]);
    expect((await h.rt.messages.get(h.memberId, sent?.wamid ?? ''))?.status).toBe('sent');
  });

  it('a file is fetched from the portal and sent as a document; the repeated event sends nothing more', async () => {
    const written = await operator({
      text: 'The price list',
      files: [{ name: 'price.pdf', bytes: Buffer.from('%PDF-1.4 fake'), contentType: 'application/pdf' }],
    });
    await eventually(() => (sentTo().length === 2 ? true : undefined), 10_000, 'text and document');
    const [text, document] = sentTo();
    expect(text?.body).toMatchObject({ type: 'text', text: { body: 'The price list' } });
    expect(document?.body).toMatchObject({ type: 'document', document: { filename: 'price.pdf' } });
    const link = (document?.body as { document?: { link: string } } | undefined)?.document?.link;
    expect(link).toMatch(/\/pub\/im\.file\.php\?FILE_ID=/);
    const chat = await chatWith(h, 2);
    await eventually(() => chat.messages.find((m) => m.id === written.messageId && m.delivered), 10_000, 'delivery');

    const again = await h.portal.deliverEvent('ONIMCONNECTORMESSAGEADD', written.data);
    expect(again[0]?.status).toBe(200);
    const marker = await operator({ text: 'marker' });
    await eventually(() => chat.messages.find((m) => m.id === marker.messageId && m.delivered), 10_000, 'marker');
    expect(sentTo().map((s) => (s.body as { type: string }).type)).toEqual(['text', 'document', 'text']);
  });

  it('a closed 24-hour window becomes a visible system line in the chat with the reason and the advice', async () => {
    h.whatsapp.failNext({ code: 131047 });
    await operator({ text: 'Are you there?' });
    const chat = await chatWith(h, 3);
    const note = chat.messages.find((m) => m.author === 'system');
    expect(note?.text).toBe(
      'Not sent to WhatsApp: More than 24 hours since the customer last wrote: send a template first',
    );
    expect(sentTo()).toHaveLength(0);
  });

  it('a 131047 WhatsApp reports later in a failed status becomes a note in the chat (after the delivery status)', async () => {
    h.whatsapp.failAsync({ to: CUSTOMER, code: 131047, times: 1 });
    await operator({ text: 'Are you still there?' });
    const chat = await chatWith(h, 3);
    const note = chat.messages.find((m) => m.author === 'system');
    expect(note?.text).toBe(
      'Not sent to WhatsApp: More than 24 hours since the customer last wrote: send a template first',
    );
    // WhatsApp took it at first: it was sent, and its chat message confirmed.
    expect(sentTo()).toHaveLength(1);
    await eventually(() => chat.messages[1]?.delivered, 10_000, 'the operator message confirmed');
  });

  it('text and a file of which WhatsApp refuses the file: the text is confirmed to the chat, the file gets a note', async () => {
    h.whatsapp.failNext({ code: 131026, after: 1 });
    const written = await operator({
      text: 'Here is the invoice',
      files: [{ name: 'invoice.pdf', bytes: Buffer.from('%PDF-1.4'), contentType: 'application/pdf' }],
    });
    const chat = await chatWith(h, 3);
    expect(chat.messages.find((m) => m.author === 'system')?.text).toMatch(/^Not sent to WhatsApp: /);
    const message = await eventually(
      () => chat.messages.find((m) => m.id === written.messageId && m.delivered),
      10_000,
      'the sent text confirmed',
    );
    expect(sentTo()).toHaveLength(1);
    expect(message.connectorMid).toEqual([sentTo()[0]?.wamid]);
  });

  it('a chat of a WhatsApp line not attached to this open line is not answered from the attached one', async () => {
    const otherChat = `${CUSTOMER}-second`;
    await h.portal.operatorWrites({ connector: CONNECTOR_ID, line: 1, chatId: otherChat, text: 'Hello?' });
    const chat = await eventually(
      () => h.portal.openLineChat(CONNECTOR_ID, 1, otherChat)?.messages.find((m) => m.author === 'system'),
      10_000,
      'the note in that chat',
    );
    expect(chat.text).toBe(
      'Not sent to WhatsApp: this chat came from a WhatsApp line no longer attached to this open line: the customer cannot be answered from here',
    );
    expect(sentTo()).toHaveLength(0);
  });

  it('an operator answer ends the waits that asked for it (cancelled, operator_replied) and leaves the others', async () => {
    const stopping = await startButtonsWait(h, { phone: CUSTOMER, properties: { stop_on_operator: 'Y' } });
    const staying = await startButtonsWait(h, { phone: CUSTOMER });
    await operator({ text: 'I will call you' });
    const [ended] = await eventually(
      () => (acceptedSends(h, stopping.eventToken).length ? acceptedSends(h, stopping.eventToken) : undefined),
      10_000,
      'the stopping wait ends',
    );
    expect(ended?.returnValues).toMatchObject({ status: 'cancelled' });
    expect(await waitField(h, stopping, 'status')).toBe('cancelled');
    expect(await waitField(h, stopping, 'endReason')).toBe('operator_replied');
    expect(await waitField(h, staying, 'status')).toBe('open');
    expect(acceptedSends(h, staying.eventToken)).toHaveLength(0);
  });
});
