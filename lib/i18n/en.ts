// English catalogue: every word a portal user reads, by key. The key set of this file is the
// catalogue's key set: other languages are typed against it (a missing key fails tsc).
// Placeholders are {name}; keep them identical in every language.
// Sections are grouped by area; add new keys to the section of your area.
export const en = {
  // --- common
  'common.yes': 'Yes',
  'common.no': 'No',
} as const;

export type MessageKey = keyof typeof en;
