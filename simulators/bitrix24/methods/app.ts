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
  // The token's own user (the app's tokens are the installing user's); an inactive user gets an
  // empty result (profile.md), which callers must treat as a refusal.
  profile: (ctx) => {
    const user = ctx.state.userOf(ctx.accessToken);
    if (!user?.active) return {};
    return {
      ID: String(user.id),
      ADMIN: user.admin,
      NAME: user.name,
      LAST_NAME: user.lastName,
      PERSONAL_GENDER: '',
      TIME_ZONE: ctx.state.opts.timeZone,
      TIME_ZONE_OFFSET: ctx.state.opts.timeZoneOffsetSec,
    };
  },
  'user.current': (ctx) => ({
    ID: String(ctx.state.opts.installingUserId),
    XML_ID: '',
    ACTIVE: true,
    NAME: 'Admin',
    LAST_NAME: 'Simulator',
    EMAIL: 'admin@sim-portal.bitrix24.test',
    USER_TYPE: 'employee',
  }),
  'user.admin': (ctx) => ctx.state.userOf(ctx.accessToken)?.admin === true,
};
