import { actions } from '../../actions';
import type { MessageTemplate } from '../../providers/message-template';
import type { TemplateDefinition } from '../../simulators/whatsapp-cloud';
import { createHarness, type Harness, LINE, waitForRegistration } from './harness';
import type { ManualClock } from './manual-clock';
import { jobLog } from './signals';
import { CUSTOMER } from './waits';

/** The simulated WhatsApp Business Account of the line. */
export const WABA = '300000000000003';
export const DAY = 86_400_000;

/** An approved utility template with a body variable and two quick replies ("Да", "Нет"). */
export const RECONNECT: Omit<TemplateDefinition, 'id'> = {
  name: 'reconnect',
  language: 'ru',
  status: 'APPROVED',
  category: 'UTILITY',
  components: [
    { type: 'BODY', text: 'Здравствуйте, {{1}}! Продолжим?' },
    {
      type: 'BUTTONS',
      buttons: [
        { type: 'QUICK_REPLY', text: 'Да' },
        { type: 'QUICK_REPLY', text: 'Нет' },
      ],
    },
  ],
};

/** `RECONNECT` as the app reads it from an account's list (one positional body variable, no buttons kept). */
export const RECONNECT_AS_READ: MessageTemplate = {
  id: '1',
  name: 'reconnect',
  language: 'ru',
  status: 'APPROVED',
  category: 'UTILITY',
  parameterFormat: 'POSITIONAL',
  headerFormat: 'NONE',
  headerParams: [],
  bodyParams: ['1'],
  buttons: [],
};

/**
 * A harness on the injected clock whose Cloud API simulator keeps the 24-hour window on the same
 * clock, with the line connected with its account id (templates) and `RECONNECT` defined.
 */
export async function createWabaHarness(
  clock: ManualClock,
  options: { enforceWindow?: boolean } = {},
): Promise<Harness> {
  const h = await createHarness({
    clock,
    whatsappNow: () => clock.now(),
    connectLine: false,
    deadlineDrainEveryMs: 200,
  });
  await connectWabaLine(h, clock, options);
  await waitForRegistration(h, actions.length);
  return h;
}

/**
 * Connects the harness portal's line `main` with its account id (templates), `RECONNECT` defined
 * and the Cloud API simulator minding the 24-hour window unless told not to.
 */
export async function connectWabaLine(
  h: Harness,
  clock: ManualClock,
  options: { enforceWindow?: boolean } = {},
): Promise<void> {
  h.whatsapp.addPhoneNumber({ ...LINE, wabaId: WABA });
  h.whatsapp.enforceWindow(options.enforceWindow ?? true);
  h.whatsapp.addTemplate(WABA, RECONNECT);
  await h.rt.lines.add({
    id: 'main',
    memberId: h.memberId,
    provider: 'cloud',
    phoneNumberId: LINE.phoneNumberId,
    accessToken: LINE.accessToken,
    wabaId: WABA,
    name: 'Main line',
    createdAt: clock.now(),
  });
}

/** The customer writes (at the clock's time) and the app has taken the message in. */
export async function customerWrites(h: Harness, text: string, from = CUSTOMER): Promise<unknown> {
  const inbound = await jobLog(h, h.rt.queues.inbound);
  await h.whatsapp.deliverInbound({ phoneNumberId: LINE.phoneNumberId, from, message: { type: 'text', text } });
  const [outcome] = await inbound.completed(1, 'the customer message');
  return outcome;
}

/** A closed window's way out: the `RECONNECT` template instead, its variable filled. */
export const RECONNECT_FALLBACK = {
  if_window_closed: 'template',
  fallback_template: 'reconnect',
  fallback_body_params: 'Иван',
};

/** The buttons robot asking "Продолжим?" (Да, Нет) on a document and waiting for the reply; `extra` adds properties. */
export function runContinueButtons(
  h: Harness,
  documentId: [string, string, string],
  extra: Record<string, string | string[]> = {},
) {
  return h.portal.runRobot({
    code: 'wa_send_buttons',
    documentId,
    properties: { phone: CUSTOMER, body: 'Продолжим?', buttons: ['Да', 'Нет'], wait_reply: 'Y', ...extra },
  });
}

/** The payload of a sent template's quick reply: its button component at `index` (0-based). */
export function quickReplyPayload(body: unknown, index: number): string {
  // cast: the body of a template the Cloud API simulator accepted (its schema checked it on the way in)
  const { template } = body as { template?: { components?: Array<Record<string, unknown>> } };
  const button = (template?.components ?? []).find((c) => c.type === 'button' && c.index === String(index));
  return (button?.parameters as Array<{ payload: string }> | undefined)?.[0]?.payload ?? '';
}

/** The customer taps a sent template's quick reply `index` (0-based), titled `text`. */
export function tapQuickReply(h: Harness, template: { body: unknown; wamid: string }, index: number, text: string) {
  return h.whatsapp.deliverInbound({
    phoneNumberId: LINE.phoneNumberId,
    from: CUSTOMER,
    message: { type: 'button', payload: quickReplyPayload(template.body, index), text },
    contextId: template.wamid,
  });
}
