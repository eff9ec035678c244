/** `app.info`, `profile`, `user.admin`. */
import type { MethodContext, MethodTable } from './method-types';

function appInfo(ctx: MethodContext): unknown {
  const lang = ctx.state.opts.languageId;
  return {
    ID: 7,
    CODE: ctx.state.opts.clientId,
    VERSION: 1,
    STATUS: 'L',
    INSTALLED: true,
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
  profile: () => ({
    ID: '1',
    ADMIN: true,
    NAME: 'Admin',
    LAST_NAME: 'Simulator',
    PERSONAL_GENDER: '',
    TIME_ZONE: '',
    TIME_ZONE_OFFSET: 10800,
  }),
  'user.admin': () => true,
};
