import type { AnyAction } from '../actions/define-action';
import { type RegistrationContext, registrationFields } from '../actions/registration-fields';

/** CRM documents robots are offered on: deals, leads and smart processes. */
export const robotDocumentFilter = {
  INCLUDE: [
    ['crm', 'CCrmDocumentDeal'],
    ['crm', 'CCrmDocumentLead'],
    ['crm', 'Bitrix\\Crm\\Integration\\BizProc\\Document\\Dynamic'],
  ],
};

/** Robot code: robots and activities share one namespace per app, so each kind has its own. */
export function robotCode(action: Pick<AnyAction, 'code'>): string {
  return `wa_${action.code}`;
}

/** `bizproc.robot.add` fields for an action: the shared ones, limited to CRM documents with stages. */
export function robotFields(
  action: AnyAction,
  handlerUrl: string,
  authUserId: number | undefined,
  context: RegistrationContext,
): Record<string, unknown> {
  return { ...registrationFields(action, handlerUrl, authUserId, context), FILTER: robotDocumentFilter };
}
