import type { AnyAction } from './define-action';

/** The fields a robot and an activity of one action share in `bizproc.*.add`. */
export function registrationFields(action: AnyAction, handlerUrl: string): Record<string, unknown> {
  return {
    HANDLER: handlerUrl,
    AUTH_USER_ID: 1,
    // Explicit: the docs disagree on the default and the core falls back to not waiting.
    USE_SUBSCRIPTION: 'Y',
    NAME: action.title,
    DESCRIPTION: action.description,
    PROPERTIES: Object.fromEntries(Object.entries(action.properties).map(([code, p]) => [code, p.descriptor])),
    RETURN_PROPERTIES: action.returns,
  };
}
