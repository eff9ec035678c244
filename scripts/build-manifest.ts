import { actions } from '../actions';
import { activityCode, activityFields } from '../activities/activity-registration';
import { boundEvents, endpoints, scopes } from '../config/endpoints';
import { robotCode, robotFields } from '../robots/robot-registration';

const HANDLER = `{PUBLIC_URL}${endpoints.robot}`;
// AUTH_USER_ID is each install's installing user: the manifest describes no install, so it names none.
const NO_USER = undefined;

/** manifest.json, derived from the catalogue (`npm run manifest` writes it; a test checks it is current). */
export function buildManifest() {
  return {
    name: 'WhatsApp robots for Bitrix24',
    version: '0.1.0',
    scope: [...scopes],
    endpoints: { ...endpoints },
    events: [...boundEvents],
    robots: actions.map((action) => ({
      code: robotCode(action),
      action: action.code,
      ...robotFields(action, HANDLER, NO_USER),
    })),
    activities: actions.map((action) => ({
      code: activityCode(action),
      action: action.code,
      ...activityFields(action, HANDLER, NO_USER),
    })),
  };
}
