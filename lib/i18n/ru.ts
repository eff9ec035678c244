// Russian catalogue (also for by/kz portals). Typed against en.ts: a missing key fails tsc.
import type { MessageKey } from './en';

export const ru: Record<MessageKey, string> = {
  // --- common
  'common.yes': 'Да',
  'common.no': 'Нет',
};
