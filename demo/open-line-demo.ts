import { CONNECTOR_ID } from '../openlines/connector';
import type { Runtime } from '../runtime/create-runtime';
import type { BitrixPortalSimulator } from '../simulators/bitrix24';
import type { OpenLineChat } from '../simulators/bitrix24/open-lines';
import type { CloudApiSimulator } from '../simulators/whatsapp-cloud';

/** What the open-line part of the demo runs on (the demo's own simulators, runtime and output). */
export interface OpenLineDemo {
  portal: BitrixPortalSimulator;
  whatsapp: CloudApiSimulator;
  rt: Runtime;
  phoneNumberId: string;
  customer: string;
  step: (text: string) => void;
  info: (text: string) => void;
  until: <T>(what: string, check: () => T | undefined | false | Promise<T | undefined | false>) => Promise<T>;
}

/** The customer's chat on open line 1 once it holds a message matching `match`. */
export function chatHas(d: OpenLineDemo, match: (m: OpenLineChat['messages'][number]) => boolean) {
  return d.until('the open-line chat', () => {
    const chat = d.portal.openLineChat(CONNECTOR_ID, 1, `${d.customer}-main`);
    return chat?.messages.find(match);
  });
}

/** Both directions of the open-line chat: customer → operator, operator → customer, a robot's message, a wait ended by an operator. */
export async function runOpenLineDemo(d: OpenLineDemo): Promise<void> {
  const { portal, whatsapp } = d;
  const chatId = `${d.customer}-main`;
  d.step('The customer writes; the message appears in the open-line chat (imconnector.send.messages)');
  await whatsapp.deliverInbound({
    phoneNumberId: d.phoneNumberId,
    from: d.customer,
    name: 'Ivan',
    message: { type: 'text', text: 'Can I bring my son too?' },
  });
  const asked = await chatHas(d, (m) => m.text === 'Can I bring my son too?');
  d.info(`operator sees (${asked.author}): "${asked.text}"`);

  d.step('The operator answers in the chat; the app sends it to WhatsApp and confirms delivery to the chat');
  const before = whatsapp.sent().length;
  const written = await portal.operatorWrites({
    connector: CONNECTOR_ID,
    line: 1,
    chatId,
    text: '[b]Anna:[/b][br] Of course, see you both tomorrow!',
  });
  const answer = await d.until('operator message on WhatsApp', () => whatsapp.sent()[before]);
  d.info(`WhatsApp received: "${(answer.body.text as { body: string }).body}" (${answer.wamid})`);
  await chatHas(d, (m) => m.id === written.messageId && m.delivered);
  d.info('the chat shows the message as delivered (imconnector.send.status.delivery)');

  d.step('A robot sends a reminder with "also show in the open-line chat" = Y');
  const deal = portal.createDeal({ title: 'Reminder', stageId: 'NEW' });
  await portal.runRobot({
    code: 'wa_send_text',
    documentId: ['crm', 'CCrmDocumentDeal', `DEAL_${deal}`],
    properties: { phone: d.customer, text: 'Reminder: tomorrow at 10:00, Lenina 5.', show_in_chat: 'Y' },
  });
  const shown = await chatHas(d, (m) => m.author === 'system' && m.text.includes('Reminder: tomorrow'));
  d.info(`operator sees a grey business line: "${shown.text}"`);

  d.step('A robot waits for a reply with "stop waiting when an operator answers"; the operator answers first');
  const waitDeal = portal.createDeal({ title: 'Follow-up', stageId: 'NEW' });
  const sentBefore = whatsapp.sent().length;
  const waiting = await portal.runRobot({
    code: 'wa_send_buttons',
    documentId: ['crm', 'CCrmDocumentDeal', `DEAL_${waitDeal}`],
    properties: {
      phone: d.customer,
      body: 'Rate our service?',
      buttons: ['Good', 'Bad'],
      wait_reply: 'Y',
      stop_on_operator: 'Y',
    },
  });
  await d.until('buttons message', () => whatsapp.sent().length > sentBefore);
  await portal.operatorWrites({ connector: CONNECTOR_ID, line: 1, chatId, text: 'I will call you instead.' });
  const ended = await portal.waitForRun(waiting.run.eventToken, 15_000);
  d.info(`robot resumed: ${JSON.stringify(ended.returnValues)}`);
  if (ended.returnValues?.status !== 'cancelled') throw new Error('the operator answer did not end the wait');
}
