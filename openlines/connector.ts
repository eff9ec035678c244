import { z } from 'zod';
import type { CallParams, PortalClient } from '../bitrix/portal-client';
import { endpoints } from '../config/endpoints';
import { AppError } from '../lib/errors/app-error';
import { type Lang, t } from '../lib/i18n/catalogue';
import type { Line } from '../store/line-store';

/** The app's Open Lines connector id (lower case, no dot: openlines-wire.md §2.1). */
export const CONNECTOR_ID = 'olchat_whatsapp';

const ICON_SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><path fill="#fff" d="M16 3a13 13 0 0 0-11.2 19.6L3 29l6.6-1.7A13 13 0 1 0 16 3z"/></svg>';

/** `imconnector.register` parameters (called again on every update: same ID updates it). */
export function connectorRegistration(publicUrl: string, lang: Lang): CallParams {
  const image = `data:image/svg+xml,${encodeURIComponent(ICON_SVG)}`;
  return {
    ID: CONNECTOR_ID,
    NAME: t(lang, 'openlines.connectorName'),
    ICON: { DATA_IMAGE: image, COLOR: '#25D366', SIZE: '90%', POSITION: 'center' },
    ICON_DISABLED: { DATA_IMAGE: image, COLOR: '#b5b5b5', SIZE: '90%', POSITION: 'center' },
    PLACEMENT_HANDLER: `${publicUrl}${endpoints.openLineSettings}`,
    // WhatsApp cannot edit or delete a sent message for everyone through the Cloud API.
    EDIT_INTERNAL_MESSAGES: false,
    DEL_INTERNAL_MESSAGES: false,
    DEL_EXTERNAL_MESSAGES: true,
    NEWSLETTER: false,
    NEED_SYSTEM_MESSAGES: false,
    NEED_SIGNATURE: false,
    // 1:1 dialogs keep the CRM tracker (openlines-wire.md §2.1).
    CHAT_GROUP: false,
  };
}

const registerAnswer = (answer: unknown) =>
  typeof answer === 'object' && answer !== null && 'result' in answer && answer.result === true;

/** Registers (or updates) the connector; its failures come inside HTTP 200 (openlines-wire.md §1). */
export async function registerConnector(
  client: Pick<PortalClient, 'call'>,
  publicUrl: string,
  lang: Lang,
): Promise<void> {
  const answer = await client.call<unknown>('imconnector.register', connectorRegistration(publicUrl, lang));
  if (!registerAnswer(answer)) {
    throw new AppError('connector_not_registered', `imconnector.register refused: ${JSON.stringify(answer)}`, {
      retryable: true,
    });
  }
}

const statusAnswerSchema = z.object({ STATUS: z.boolean() }).loose();

/**
 * Turns the connector on for an open line and names the channel — activate first, then data.set
 * (activation drops earlier channel data: openlines-wire.md §3.1, §3.3) — then checks it once with
 * `imconnector.status` (§0 step 6, trap 4): a line the portal does not show as connected is an error.
 */
export async function activateOnOpenLine(
  client: Pick<PortalClient, 'call'>,
  line: Pick<Line, 'id' | 'name'>,
  openLineId: string,
  lang: Lang,
  publicUrl: string,
): Promise<void> {
  await client.call('imconnector.activate', { CONNECTOR: CONNECTOR_ID, LINE: Number(openLineId), ACTIVE: 1 });
  await client.call('imconnector.connector.data.set', {
    CONNECTOR: CONNECTOR_ID,
    LINE: Number(openLineId),
    DATA: { ID: line.id, NAME: t(lang, 'openlines.channelName', { line: line.name }), URL: publicUrl },
  });
  if (!(await connectorOnOpenLine(client, openLineId)))
    throw new AppError('open_line_not_connected', `imconnector.status: open line ${openLineId} is not connected`, {
      retryable: true,
    });
}

/**
 * Whether the portal shows the connector switched on for an open line (`imconnector.status`,
 * openlines-wire.md §3.2: LINE always given). An answer without a boolean STATUS is an error.
 */
export async function connectorOnOpenLine(client: Pick<PortalClient, 'call'>, openLineId: string): Promise<boolean> {
  const answer = await client.call<unknown>('imconnector.status', {
    CONNECTOR: CONNECTOR_ID,
    LINE: Number(openLineId),
  });
  const status = statusAnswerSchema.safeParse(answer);
  if (!status.success)
    throw new AppError('open_line_not_connected', `imconnector.status answered no STATUS: ${JSON.stringify(answer)}`, {
      retryable: true,
    });
  return status.data.STATUS;
}

/** Turns the connector off for an open line. */
export async function deactivateOnOpenLine(client: Pick<PortalClient, 'call'>, openLineId: string): Promise<void> {
  await client.call('imconnector.activate', { CONNECTOR: CONNECTOR_ID, LINE: Number(openLineId), ACTIVE: 0 });
}
