import { actions } from '../actions';
import type { RegistrationContext } from '../actions/registration-fields';
import { activityCode, activityFields } from '../activities/activity-registration';
import { boundEvents, endpoints, scopes } from '../config/endpoints';
import { DEFAULT_PRODUCT_PREFIX } from '../config/env-schema';
import { robotCode, robotFields } from '../robots/robot-registration';

const HANDLER = `{PUBLIC_URL}${endpoints.robot}`;
// AUTH_USER_ID is each install's installing user: the manifest describes no install, so it names none.
const NO_USER = undefined;
// Names are {ru, en} maps; select options of a portal are in its language (English here), and the
// `line` select lists no lines: each portal's registration fills in its own.
const GENERIC: RegistrationContext = { lang: 'en', prefix: DEFAULT_PRODUCT_PREFIX, lines: [] };

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
      ...robotFields(action, HANDLER, NO_USER, GENERIC),
    })),
    activities: actions.map((action) => ({
      code: activityCode(action),
      action: action.code,
      ...activityFields(action, HANDLER, NO_USER, GENERIC),
    })),
  };
}
