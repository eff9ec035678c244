import type { AnyAction } from './define-action';

/**
 * The fields a robot and an activity of one action share in `bizproc.*.add`. `authUserId` is the
 * user who installed the app (whose tokens the handler receives when the robot's own setting names
 * nobody); undefined only for the manifest, which describes no particular install.
 */
export function registrationFields(
  action: AnyAction,
  handlerUrl: string,
  authUserId: number | undefined,
): Record<string, unknown> {
  return {
    HANDLER: handlerUrl,
    ...(authUserId === undefined ? {} : { AUTH_USER_ID: authUserId }),
    // Explicit: the docs disagree on the default and the core falls back to not waiting.
    USE_SUBSCRIPTION: 'Y',
    NAME: action.title,
    DESCRIPTION: action.description,
    PROPERTIES: Object.fromEntries(Object.entries(action.properties).map(([code, p]) => [code, p.descriptor])),
    RETURN_PROPERTIES: action.returns,
  };
}
