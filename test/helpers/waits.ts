import { decodeButtonId } from '../../waits/button-id';
import { WaitStore } from '../../waits/wait-store';
import { defined } from './defined';
import type { Harness } from './harness';
import { eventually, LINE } from './harness';
import { streamFields } from './signals';

export const CUSTOMER = '79161234567';

export interface ButtonsRun {
  eventToken: string;
  workflowId: string;
  documentId: [string, string, string];
  wamid: string;
  buttonIds: string[];
  dealId: number;
}

/** Fires the buttons robot (or activity) with "wait for the reply" on a deal and waits until the message is sent. */
export async function startButtonsWait(
  h: Harness,
  options: {
    kind?: 'robot' | 'activity';
    properties?: Record<string, string | string[]>;
    dealId?: number;
    phone?: string;
    timeoutDuration?: number;
  } = {},
): Promise<ButtonsRun> {
  const dealId = options.dealId ?? h.portal.createDeal({ stageId: 'NEW' });
  const documentId: [string, string, string] = ['crm', 'CCrmDocumentDeal', `DEAL_${dealId}`];
  const code = options.kind === 'activity' ? 'wa_send_buttons_bp' : 'wa_send_buttons';
  const before = h.whatsapp.sent().length;
  const { run, httpStatus } = await h.portal.runRobot({
    code,
    documentId,
    timeoutDuration: options.timeoutDuration,
    properties: {
      phone: options.phone ?? CUSTOMER,
      body: 'Подтвердите запись',
      buttons: ['Да', 'Нет', 'Перенести'],
      wait_reply: 'Y',
      ...options.properties,
    },
  });
  if (httpStatus !== 200) throw new Error(`robot call answered ${httpStatus}`);
  const sent = await eventually(
    () =>
      h.whatsapp
        .sent()
        .slice(before)
        .find((s) => (s.body as { type?: string }).type === 'interactive'),
    10_000,
    'buttons message',
  );
  const interactive = (sent.body as { interactive: { action: { buttons: Array<{ reply: { id: string } }> } } })
    .interactive;
  return {
    eventToken: run.eventToken,
    workflowId: run.workflowId,
    documentId,
    wamid: sent.wamid,
    buttonIds: interactive.action.buttons.map((b) => b.reply.id),
    dealId,
  };
}

/** Event sends the portal accepted for a run. */
export function acceptedSends(h: Harness, eventToken: string) {
  return h.portal.eventSends().filter((e) => e.eventToken === eventToken && e.outcome === 'accepted');
}

export function allSends(h: Harness, eventToken: string) {
  return h.portal.eventSends().filter((e) => e.eventToken === eventToken);
}

/** Customer taps a button (`omitFrom`: a customer WhatsApp names by their user id alone). */
export function tap(
  h: Harness,
  run: ButtonsRun,
  index: number,
  title: string,
  extra: { id?: string; from?: string; phoneNumberId?: string; omitFrom?: boolean } = {},
) {
  return h.whatsapp.deliverInbound({
    phoneNumberId: extra.phoneNumberId ?? LINE.phoneNumberId,
    from: extra.from ?? CUSTOMER,
    omitFrom: extra.omitFrom,
    message: { type: 'button_reply', id: defined(run.buttonIds[index], `button id ${index}`), title },
    contextId: run.wamid,
    id: extra.id,
  });
}

/** Customer types text (`omitFrom`: a customer WhatsApp names by their user id alone). */
export function say(h: Harness, text: string, extra: { contextId?: string; from?: string; omitFrom?: boolean } = {}) {
  return h.whatsapp.deliverInbound({
    phoneNumberId: LINE.phoneNumberId,
    from: extra.from ?? CUSTOMER,
    omitFrom: extra.omitFrom,
    message: { type: 'text', text },
    contextId: extra.contextId,
  });
}

/** WhatsApp reports the status of a message the customer was sent on the line (`timestamp` in seconds; now unless given). */
export function customerStatus(h: Harness, wamid: string, status: 'delivered' | 'read', timestamp?: number) {
  return h.whatsapp.deliverStatus({
    phoneNumberId: LINE.phoneNumberId,
    wamid,
    status,
    recipientId: CUSTOMER,
    timestamp,
  });
}

/** Ordinary inbound messages (not taken by a wait). */
export async function ordinaryTexts(h: Harness): Promise<string[]> {
  const entries = await h.redis.xrange(h.rt.keys.inboundStream(h.memberId), '-', '+');
  return entries.map(([, fields]) => streamFields(fields).get('text') ?? '');
}

/** The wait a buttons run opened, read from its first button's id. */
export function waitIdOf(run: { buttonIds: string[] }): string {
  const [first] = run.buttonIds;
  const decoded = first === undefined ? null : decodeButtonId(first);
  if (!decoded) throw new Error(`no wait button id in [${run.buttonIds.join(', ')}]`);
  return decoded.waitId;
}

/** A field of the stored wait behind a buttons run. */
export async function waitField(
  h: Harness,
  run: { buttonIds: string[] },
  field: 'status' | 'endReason',
): Promise<string | undefined> {
  const wait = await new WaitStore(h.rt.redis, h.rt.keys).get(h.memberId, waitIdOf(run));
  return wait?.[field];
}
