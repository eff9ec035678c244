/** The table of REST methods the simulated portal knows (extend by adding tables here). */
import { appMethods } from './app';
import { batchMethods } from './batch';
import { bizprocMethods } from './bizproc';
import { crmMethods } from './crm';
import { diskMethods } from './disk';
import { eventSendMethods } from './event-send';
import { eventMethods } from './events';
import { imconnectorMethods } from './imconnector';
import type { MethodTable } from './method-types';

/** All implemented methods, keyed by lower-case name. */
export const methodTable: MethodTable = {
  ...appMethods,
  ...batchMethods,
  ...bizprocMethods,
  ...crmMethods,
  ...diskMethods,
  ...eventMethods,
  ...eventSendMethods,
  ...imconnectorMethods,
};

export type { MethodContext, MethodHandler, MethodTable } from './method-types';
