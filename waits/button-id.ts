/**
 * The one codec for a wait's button ids, `w:<wait id>:<n>` (n from 1): a tap names its wait,
 * never the event token, so an old button cannot resume another robot.
 */
const BUTTON_ID = /^w:([A-Za-z0-9_-]+):(\d+)$/;

/** The id of a wait's n-th button (from 1). */
export function encodeButtonId(waitId: string, n: number): string {
  return `w:${waitId}:${n}`;
}

/** The wait and button number a tapped id names, or null when it is not one of ours. */
export function decodeButtonId(id: string): { waitId: string; n: number } | null {
  const match = BUTTON_ID.exec(id);
  const [, waitId, n] = match ?? [];
  return waitId && n ? { waitId, n: Number(n) } : null;
}

/** Button ids of a message that cannot wait (the run does not wait for results): `b:<n>`. */
export function plainButtonId(n: number): string {
  return `b:${n}`;
}
