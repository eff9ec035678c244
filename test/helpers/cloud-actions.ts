import type { Harness } from './harness';

/** A message body the Cloud API simulator accepted. */
type Body = Record<string, unknown>;

/**
 * Runs robots and activities on the harness portal's Cloud API line (the action catalogue tests).
 * `harness` is read at call time, so a test file can create its harness in `beforeAll`.
 */
export function cloudActionRunner(harness: () => Harness) {
  /** A new deal in stage NEW (with a contact when given), as a document id. */
  const deal = (contactId?: number): [string, string, string] => [
    'crm',
    'CCrmDocumentDeal',
    `DEAL_${harness().portal.createDeal({ stageId: 'NEW', contactId })}`,
  ];
  /** Runs one robot/activity and returns the finished run plus the bodies the simulator accepted for it. */
  async function run(code: string, properties: Record<string, string | string[]>, documentId = deal()) {
    const h = harness();
    const before = h.whatsapp.sent().length;
    const beforeAttempts = h.whatsapp.attempts().length;
    const started = await h.portal.runRobot({ code, documentId, properties });
    expect(started.httpStatus).toBe(200);
    const done = await h.portal.waitForRun(started.run.eventToken, 10_000);
    const sent = h.whatsapp.sent().slice(before);
    return {
      done,
      values: done.returnValues ?? {},
      log: done.logMessage ?? '',
      bodies: sent.map((s): Body => s.body),
      wamids: sent.map((s) => s.wamid),
      attempts: h.whatsapp.attempts().length - beforeAttempts,
    };
  }
  return { deal, run };
}
