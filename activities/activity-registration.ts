import type { AnyAction } from '../actions/define-action';

/** Activity code: distinct from the robot's (one code namespace per app). */
export function activityCode(action: Pick<AnyAction, 'code'>): string {
  return `wa_${action.code}_bp`;
}

/** `bizproc.activity.add` fields for an action (offered in the BP designer for any document). */
export function activityFields(action: AnyAction, handlerUrl: string): Record<string, unknown> {
  return {
    HANDLER: handlerUrl,
    AUTH_USER_ID: 1,
    USE_SUBSCRIPTION: 'Y',
    NAME: action.title,
    DESCRIPTION: action.description,
    PROPERTIES: Object.fromEntries(Object.entries(action.properties).map(([code, p]) => [code, p.descriptor])),
    RETURN_PROPERTIES: action.returns,
  };
}
