import type { AnyAction } from '../actions/define-action';
import { type RegistrationContext, registrationFields } from '../actions/registration-fields';

/** Activity code: distinct from the robot's (one code namespace per app). */
export function activityCode(action: Pick<AnyAction, 'code'>): string {
  return `wa_${action.code}_bp`;
}

/** `bizproc.activity.add` fields for an action (offered in the BP designer for any document). */
export function activityFields(
  action: AnyAction,
  handlerUrl: string,
  authUserId: number | undefined,
  context: RegistrationContext,
): Record<string, unknown> {
  return registrationFields(action, handlerUrl, authUserId, context);
}
