import { catalogueEntry, type AnyAction } from './define-action';
import { sendText } from './send-text';
import { sendButtons } from './send-buttons';
import { sendFile } from './send-file';
import { sendLocation } from './send-location';
import { sendContact } from './send-contact';
import { sendReaction } from './send-reaction';
import { sendTemplate } from './send-template';
import { sendList } from './send-list';
import { forwardMessage } from './forward-message';
import { editMessage } from './edit-message';
import { deleteMessage } from './delete-message';
import { checkNumber } from './check-number';

/** The catalogue: every action, each served as a robot and as a BP activity. */
export const actions: readonly AnyAction[] = [
  sendText, sendButtons, sendFile, sendLocation, sendContact, sendReaction, sendTemplate, sendList,
  forwardMessage, editMessage, deleteMessage, checkNumber,
].map(catalogueEntry);

/** Finds the action behind a robot (`wa_x`) or activity (`wa_x_bp`) code. */
export function findActionByCode(code: string): { action: AnyAction; kind: 'robot' | 'activity' } | null {
  for (const action of actions) {
    if (code === `wa_${action.code}`) return { action, kind: 'robot' };
    if (code === `wa_${action.code}_bp`) return { action, kind: 'activity' };
  }
  return null;
}
