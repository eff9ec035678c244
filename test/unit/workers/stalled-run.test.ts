import { createLogger } from '../../../lib/logger';
import { createMetrics } from '../../../lib/metrics';
import type { RobotCallJob } from '../../../queues/job-schemas';
import type { Portal } from '../../../store/portal-store';
import { createStalledRunReporter } from '../../../workers/stalled-run';
import { createManualClock } from '../../helpers/manual-clock';

const portal = { memberId: 'm1', languageId: 'en' } as Portal; // only the language is read
const data: RobotCallJob = {
  source: 'bitrix',
  memberId: 'm1',
  code: 'wa_send_text',
  kind: 'robot',
  eventToken: 'wf1|A1|tok.sig',
  workflowId: 'wf1',
  documentId: ['crm', 'CCrmDocumentDeal', 'DEAL_1'],
  documentType: ['crm', 'CCrmDocumentDeal', 'DEAL'],
  properties: {},
  useSubscription: true,
  timeoutDurationSec: 0,
  receivedAt: 0,
};

function setup(step: { state: 'new' } | { state: 'maybe'; markedAt: number } | { state: 'sent'; messageId: string }) {
  const enqueue = jest.fn(async () => true);
  const abandon = jest.fn(async () => undefined);
  const settle = jest.fn(async () => undefined);
  const report = createStalledRunReporter({
    portals: { get: async () => portal, configVersion: async () => 'v1' },
    outbox: { enqueue },
    apiMessages: { settle },
    clock: createManualClock(),
    waits: {
      open: jest.fn(),
      store: { get: async () => null },
      attach: jest.fn(),
      stages: { read: async () => '' },
      abandon,
      idFor: (_c, p) => `${p}-wait`,
    },
    messages: {
      sentStep: async () => null,
      sendStep: async () => step,
      callSteps: async () => ({}),
      claimSendStep: jest.fn(),
      releaseSendStep: jest.fn(),
      rememberStep: jest.fn(),
      recordSend: jest.fn(),
      get: async () => null,
    },
    metrics: createMetrics(),
    log: createLogger('silent'),
  });
  return { report, enqueue, abandon, settle };
}

describe('a robot call BullMQ failed for stalling too often', () => {
  it('is answered with an error, and its waits are abandoned', async () => {
    const { report, enqueue, abandon } = setup({ state: 'new' });
    await report(data);
    expect(abandon).toHaveBeenCalledWith('m1', ['reply-wait', 'delivery-wait'], 'send_failed');
    expect(enqueue).toHaveBeenCalledWith('m1', {
      eventToken: data.eventToken,
      returnValues: expect.objectContaining({ status: 'error', error_code: 'internal_error' }),
      logMessage: expect.stringContaining('stopped its worker repeatedly'),
    });
  });

  it('a message in flight at the last stall is reported as possibly sent', async () => {
    const { report, enqueue } = setup({ state: 'maybe', markedAt: 1 });
    await report(data);
    expect(enqueue).toHaveBeenCalledWith(
      'm1',
      expect.objectContaining({ returnValues: expect.objectContaining({ delivery_status: 'unknown' }) }),
    );
  });
});

describe('an API send BullMQ failed for stalling too often', () => {
  const apiJob = { ...data, source: 'api' as const, messageId: 'am1' } as unknown as RobotCallJob; // only these fields are read

  it('is sent, not failed, when its message left before the stalls (a caller would retry into a duplicate)', async () => {
    const { report, settle, enqueue } = setup({ state: 'sent', messageId: 'wamid.X' });
    await report(apiJob);
    expect(settle).toHaveBeenCalledWith(
      'm1',
      'am1',
      expect.objectContaining({ state: 'sent', providerMessageId: 'wamid.X' }),
    );
    expect(enqueue).not.toHaveBeenCalled();
  });

  it('is failed and marked possibly sent when its send was in flight', async () => {
    const { report, settle } = setup({ state: 'maybe', markedAt: 1 });
    await report(apiJob);
    expect(settle).toHaveBeenCalledWith(
      'm1',
      'am1',
      expect.objectContaining({ state: 'failed', errorCode: 'internal_error', maybeSent: '1' }),
    );
  });
});
