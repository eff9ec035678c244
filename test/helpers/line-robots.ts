import type { Harness } from './harness';

/**
 * Starts robots on one line of the harness portal (`line` property `lineId` unless a run names
 * another), each on a new deal in stage NEW. `harness` is read at call time, so a test file can
 * create its harness in `beforeAll`/`beforeEach`.
 */
export function lineRobotStarter(harness: () => Harness, lineId: string) {
  /** A new deal in stage NEW, as a document id. */
  const deal = (): [string, string, string] => [
    'crm',
    'CCrmDocumentDeal',
    `DEAL_${harness().portal.createDeal({ stageId: 'NEW' })}`,
  ];
  /** Starts a robot on the line; the portal accepted the call. */
  async function start(code: string, properties: Record<string, string | string[]>) {
    const started = await harness().portal.runRobot({
      code,
      documentId: deal(),
      properties: { line: lineId, ...properties },
    });
    expect(started.httpStatus).toBe(200);
    return started.run;
  }
  return { deal, start };
}
