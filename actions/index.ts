import { checkNumber } from './check-number';
import { checkWindow } from './check-window';
import { type AnyAction, catalogueEntry } from './define-action';
import { deleteMessage } from './delete-message';
import { editMessage } from './edit-message';
import { forwardMessage } from './forward-message';
import { sendButtons } from './send-buttons';
import { sendContact } from './send-contact';
import { sendFile } from './send-file';
import { sendList } from './send-list';
import { sendLocation } from './send-location';
import { sendReaction } from './send-reaction';
import { sendTemplate } from './send-template';
import { sendText } from './send-text';
import { waitMessage } from './wait-message';

/** The catalogue: every action, each served as a robot and as a BP activity. */
export const actions: readonly AnyAction[] = [
  sendText,
  sendButtons,
  sendFile,
  sendLocation,
  sendContact,
  sendReaction,
  sendTemplate,
  sendList,
  forwardMessage,
  editMessage,
  deleteMessage,
  checkNumber,
  checkWindow,
  waitMessage,
].map(catalogueEntry);

/** Finds the action behind a robot (`wa_x`) or activity (`wa_x_bp`) code. */
export function findActionByCode(code: string): { action: AnyAction; kind: 'robot' | 'activity' } | null {
  for (const action of actions) {
    if (code === `wa_${action.code}`) return { action, kind: 'robot' };
    if (code === `wa_${action.code}_bp`) return { action, kind: 'activity' };
  }
  return null;
}
