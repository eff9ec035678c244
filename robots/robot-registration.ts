import type { AnyAction } from '../actions/define-action';

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

/** `bizproc.robot.add` fields for an action. */
export function robotFields(action: AnyAction, handlerUrl: string): Record<string, unknown> {
  return {
    HANDLER: handlerUrl,
    AUTH_USER_ID: 1,
    // Explicit: the docs disagree on the default and the core falls back to not waiting.
    USE_SUBSCRIPTION: 'Y',
    NAME: action.title,
    DESCRIPTION: action.description,
    PROPERTIES: Object.fromEntries(Object.entries(action.properties).map(([code, p]) => [code, p.descriptor])),
    RETURN_PROPERTIES: action.returns,
    FILTER: robotDocumentFilter,
  };
}
