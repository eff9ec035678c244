import { BitrixError } from '../../../bitrix/bitrix-error';
import type { BatchCommands, BatchOutcome } from '../../../bitrix/portal-client';
import { DOCUMENT_GONE, StageReader } from '../../../waits/stage-reader';

/** A portal whose batch answers each command from `answers` (by its `id` param), recording the batches. */
function portalAnswering(answers: Record<string, { result?: unknown; error?: { code: string; description: string } }>) {
  const batches: BatchCommands[] = [];
  const client = {
    async batch(commands: BatchCommands): Promise<BatchOutcome> {
      batches.push(commands);
      const outcome: BatchOutcome = { results: {}, errors: {} };
      for (const [key, [, params]] of Object.entries(commands)) {
        const answer = answers[String(params.id)];
        if (answer?.error) outcome.errors[key] = answer.error;
        else outcome.results[key] = answer?.result;
      }
      return outcome;
    },
  };
  return { bitrix: () => client, batches };
}

describe('StageReader: one batch of stage reads, each document its own outcome', () => {
  it('a deal answer without STAGE_ID rejects its own reads only (UNEXPECTED_ANSWER, retryable); the rest of the batch resolves', async () => {
    const portal = portalAnswering({
      '1': { result: { ID: '1', STAGE_ID: 'NEW' } },
      '2': { result: { ID: '2', TITLE: 'no stage here' } },
      '3': { result: { ID: '3', STATUS_ID: 'IN_PROCESS' } },
      '4': { error: { code: 'NOT_FOUND', description: 'Not found' } },
      '5': { result: { item: { id: 5, stageId: 'DT1032_15:NEW' } } },
    });
    const reader = new StageReader(portal.bitrix, 0);
    const reads = ['DEAL_1', 'DEAL_2', 'LEAD_3', 'DEAL_4', 'DYNAMIC_1032_5', 'DEAL_2'].map((doc) =>
      reader.read('member', doc).then(
        (stage) => ({ stage }),
        (error: unknown) => ({ error }),
      ),
    );
    const outcomes = await Promise.all(reads);
    expect(portal.batches).toHaveLength(1);
    expect(outcomes.map((o) => ('stage' in o ? o.stage : 'rejected'))).toEqual([
      'NEW',
      'rejected',
      'IN_PROCESS',
      DOCUMENT_GONE,
      'DT1032_15:NEW',
      'rejected',
    ]);
    const failed = outcomes[1];
    const error = failed && 'error' in failed ? failed.error : undefined;
    expect(error).toBeInstanceOf(BitrixError);
    expect(error).toMatchObject({
      code: 'UNEXPECTED_ANSWER',
      retryable: true,
      method: 'crm.deal.get',
      message: expect.stringContaining('STAGE_ID'),
    });
  });

  it('an answer that is no record at all (null) fails only its document', async () => {
    const portal = portalAnswering({ '1': { result: null }, '2': { result: { STAGE_ID: 'WON' } } });
    const reader = new StageReader(portal.bitrix, 0);
    const [bad, good] = await Promise.allSettled([reader.read('m', 'LEAD_1'), reader.read('m', 'DEAL_2')]);
    expect(bad).toMatchObject({ status: 'rejected', reason: { code: 'UNEXPECTED_ANSWER', method: 'crm.lead.get' } });
    expect(good).toEqual({ status: 'fulfilled', value: 'WON' });
  });

  it("a smart-process item with stages turned off (stageId: null) reads as no stage (''); an item without stageId is still not understood", async () => {
    const portal = portalAnswering({
      '1': { result: { item: { id: 1, stageId: null } } },
      '2': { result: { item: { id: 2 } } },
    });
    const reader = new StageReader(portal.bitrix, 0);
    const [off, missing] = await Promise.allSettled([
      reader.read('m', 'DYNAMIC_1032_1'),
      reader.read('m', 'DYNAMIC_1032_2'),
    ]);
    expect(off).toEqual({ status: 'fulfilled', value: '' });
    expect(missing).toMatchObject({
      status: 'rejected',
      reason: { code: 'UNEXPECTED_ANSWER', method: 'crm.item.get' },
    });
  });
});
