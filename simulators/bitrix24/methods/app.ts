/** `app.info`, `profile`, `user.current`, `user.admin`. */
import type { MethodContext, MethodTable } from './method-types';

function appInfo(ctx: MethodContext): unknown {
  const lang = ctx.state.opts.languageId;
  return {
    ID: 7,
    CODE: ctx.state.opts.clientId,
    VERSION: 1,
    STATUS: 'L',
    // False from the install page's POST until the page calls installFinish (an install, not an open).
    INSTALLED: ctx.state.installFinished,
    PAYMENT_EXPIRED: 'N',
    DAYS: null,
    LICENSE: `${lang}_project`,
    LICENSE_TYPE: 'project',
    LICENSE_FAMILY: 'project',
    LANGUAGE_ID: lang,
  };
}

/** App and user info methods. */
export const appMethods: MethodTable = {
  'app.info': appInfo,
  // The token's user: the app holds the installing user's tokens.
  profile: (ctx) => ({
    ID: String(ctx.state.userTokens.get(ctx.accessToken)?.id ?? ctx.state.opts.installingUserId),
    ADMIN: ctx.state.userTokens.get(ctx.accessToken)?.admin ?? true,
    NAME: 'Admin',
    LAST_NAME: 'Simulator',
    PERSONAL_GENDER: '',
    TIME_ZONE: ctx.state.opts.timeZone,
    TIME_ZONE_OFFSET: ctx.state.opts.timeZoneOffsetSec,
  }),
  'user.current': (ctx) => ({
    ID: String(ctx.state.opts.installingUserId),
    XML_ID: '',
    ACTIVE: true,
    NAME: 'Admin',
    LAST_NAME: 'Simulator',
    EMAIL: 'admin@sim-portal.bitrix24.test',
    USER_TYPE: 'employee',
  }),
  'user.admin': () => true,
};
