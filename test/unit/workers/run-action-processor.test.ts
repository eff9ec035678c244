import { DelayedError, type Job } from 'bullmq';
import { createAddressPolicy } from '../../../lib/address-policy';
import { ActionError, LineBusyError } from '../../../lib/errors/app-error';
import { createLogger } from '../../../lib/logger';
import { createMetrics } from '../../../lib/metrics';
import type { WhatsAppProvider } from '../../../providers/provider';
import type { ApiCallJob, RobotCallJob } from '../../../queues/job-schemas';
import { createKeys } from '../../../redis/keys';
import type { Line } from '../../../store/line-store';
import type { Portal } from '../../../store/portal-store';
import { createRunActionProcessor, type RunActionDeps } from '../../../workers/run-action-processor';
import { createManualClock } from '../../helpers/manual-clock';

const portal: Portal = {
  memberId: 'm1',
  domain: 'p.bitrix24.ru',
  clientEndpoint: 'https://p.bitrix24.ru/rest/',
  serverEndpoint: 'https://oauth.bitrix.info/rest/',
  applicationToken: 'a',
  accessToken: 'b',
  refreshToken: 'c',
  expiresAt: 0,
  scope: '',
  userId: 1,
  languageId: 'ru',
  installedAt: 0,
};
const line: Line = {
  id: 'main',
  memberId: 'm1',
  provider: 'cloud',
  phoneNumberId: '1',
  accessToken: 't',
  name: 'Main',
  createdAt: 0,
};
const provider: WhatsAppProvider = {
  kind: 'cloud',
  capabilities: new Set(['text']),
  send: jest.fn(),
  lineStatus: jest.fn(),
};

const jobData: RobotCallJob = {
  source: 'bitrix',
  memberId: 'm1',
  code: 'wa_send_text',
  kind: 'robot',
  eventToken: 'wf1|A1|tok.sig',
  workflowId: 'wf1',
  documentId: ['crm', 'CCrmDocumentDeal', 'DEAL_1'],
  documentType: ['crm', 'CCrmDocumentDeal', 'DEAL'],
  properties: { text: 'hi', phone: '79161234567' },
  useSubscription: true,
  timeoutDurationSec: 0,
  receivedAt: 0,
};

/** The parts of a BullMQ job the processor reads (a test double: no queue behind it). */
function fakeJob(attemptsMade: number, attempts = 8) {
  const moveToDelayed = jest.fn(async (_timestamp: number, _token?: string) => undefined);
  // The processor reads data, attemptsMade, opts.attempts and calls moveToDelayed; nothing else.
  const job = { data: jobData, attemptsMade, opts: { attempts }, moveToDelayed } as unknown as Job<RobotCallJob>;
  return { job, moveToDelayed };
}

/** The message store as the processor sees it: `sent` = the message id step 0 already has. */
function messagesWith(sent: string | null): RunActionDeps['messages'] {
  const step = sent === null ? { state: 'new' as const } : { state: 'sent' as const, messageId: sent };
  return {
    sentStep: async () => sent,
    sendStep: async () => step,
    callSteps: async (): Promise<Record<string, string>> => (sent === null ? {} : { '0': sent }),
    claimSendStep: async () => ({ earlier: step, mark: 'mark', earlierMark: '' }),
    releaseSendStep: jest.fn(),
    rememberStep: jest.fn(),
    get: async () => null,
    recordSend: jest.fn(),
  };
}

function setup(overrides: Partial<RunActionDeps> = {}) {
  const clock = createManualClock();
  const enqueue = jest.fn(async () => true);
  const abandon = jest.fn(async () => undefined);
  const deps: RunActionDeps = {
    portals: { get: async () => portal, configVersion: async () => 'v1' },
    lines: { list: async () => [line] },
    outbox: { enqueue },
    apiMessages: { settle: jest.fn() },
    messages: messagesWith(null),
    waits: {
      open: jest.fn(),
      store: { get: async () => null },
      idFor: (_call, purpose) => `${purpose}-wait`,
      attach: jest.fn(),
      abandon,
      stages: { read: async () => 'NEW' },
    },
    bitrix: Object.assign(() => ({ memberId: 'm1', call: jest.fn(), batch: jest.fn() }), { probe: jest.fn() }),
    providerFor: () => provider,
    lineSender: { withSlot: async (_line, request) => request(() => undefined, clock.now() + 25_000) },
    keys: createKeys('unit'),
    metrics: createMetrics(),
    clock,
    log: createLogger('silent'),
    defaultPhoneRegion: 'RU',
    addresses: createAddressPolicy({ allowPrivate: false }),
    windows: { read: async () => ({}), readWithSteps: async () => ({ window: {}, steps: {} }), noteWaId: jest.fn() },
    templates: { find: async () => 'unknown' as const },
    windowFallbacks: { put: jest.fn() },
    ...overrides,
  };
  return { deps, enqueue, abandon, clock };
}

describe('run-action processor: the error path', () => {
  it('a transient failure with attempts left is rethrown for a retry; nothing is reported yet', async () => {
    const down = new Error('Connection is closed.');
    const { deps, enqueue, abandon } = setup({ lines: { list: async () => Promise.reject(down) } });
    await expect(createRunActionProcessor(deps)(fakeJob(0).job)).rejects.toBe(down);
    expect(enqueue).not.toHaveBeenCalled();
    expect(abandon).not.toHaveBeenCalled();
  });

  it('on the last attempt the robot gets internal_error and the call’s waits are abandoned', async () => {
    const { deps, enqueue, abandon } = setup({
      lines: { list: async () => Promise.reject(new Error('Connection is closed.')) },
    });
    expect(await createRunActionProcessor(deps)(fakeJob(7).job)).toBe('error:internal_error');
    expect(abandon).toHaveBeenCalledWith('m1', ['reply-wait', 'delivery-wait'], 'send_failed');
    expect(enqueue).toHaveBeenCalledWith('m1', {
      eventToken: jobData.eventToken,
      returnValues: expect.objectContaining({ status: 'error', error_code: 'internal_error', message_id: '' }),
      logMessage: expect.stringMatching(/^WhatsApp: ошибка internal_error/),
    });
  });

  it('a permanent error is reported at once, in the portal’s language', async () => {
    const { deps, enqueue } = setup({ lines: { list: async () => [] } });
    expect(await createRunActionProcessor(deps)(fakeJob(0).job)).toBe('error:no_line');
    expect(enqueue).toHaveBeenCalledWith(
      'm1',
      expect.objectContaining({
        returnValues: expect.objectContaining({
          error_code: 'no_line',
          error: expect.stringMatching(/линия WhatsApp/),
        }),
      }),
    );
  });

  it('a last attempt that ended without an answer says the message may have left', async () => {
    const maybe = { ...messagesWith(null), sendStep: async () => ({ state: 'maybe' as const, markedAt: 1 }) };
    const { deps, enqueue } = setup({
      messages: maybe,
      lines: {
        list: async () => Promise.reject(new ActionError('provider_unavailable', 'timeout', { retryable: true })),
      },
    });
    expect(await createRunActionProcessor(deps)(fakeJob(7).job)).toBe('error:provider_unavailable');
    expect(enqueue).toHaveBeenCalledWith(
      'm1',
      expect.objectContaining({
        returnValues: expect.objectContaining({ status: 'error', delivery_status: 'unknown', message_id: '' }),
        logMessage: expect.stringContaining('сообщение могло уйти до сбоя'),
      }),
    );
  });

  it('a message that left before the failure is named in the error', async () => {
    // Step 0 left in an earlier attempt (sentStep remembers it); this attempt then fails for good.
    const { deps, enqueue } = setup({
      messages: messagesWith('wamid.SENT'),
      lines: { list: async () => Promise.reject(new ActionError('unknown_line', 'x')) },
    });
    expect(await createRunActionProcessor(deps)(fakeJob(0).job)).toBe('error:unknown_line');
    expect(enqueue).toHaveBeenCalledWith(
      'm1',
      expect.objectContaining({
        returnValues: expect.objectContaining({ status: 'error', message_id: 'wamid.SENT' }),
      }),
    );
  });

  it('a full line window puts the job back until the slot frees, without spending an attempt', async () => {
    const { deps, enqueue } = setup({
      lineSender: { withSlot: async () => Promise.reject(new LineBusyError(250)) },
    });
    const { job, moveToDelayed } = fakeJob(3);
    const before = Date.now();
    await expect(createRunActionProcessor(deps)(job, 'lock-token')).rejects.toBeInstanceOf(DelayedError);
    // BullMQ schedules on real time, so the job is due 250 ms from the real now (not the test clock).
    const [dueAt = 0, token] = moveToDelayed.mock.calls[0] ?? [];
    expect(token).toBe('lock-token');
    expect(dueAt).toBeGreaterThanOrEqual(before + 250);
    expect(dueAt).toBeLessThanOrEqual(Date.now() + 250);
    expect(enqueue).not.toHaveBeenCalled();
  });
});

describe('run-action processor: an API send', () => {
  const apiJob = (data: ApiCallJob) =>
    // The processor reads data, attemptsMade and opts.attempts; nothing else.
    ({ data, attemptsMade: 0, opts: { attempts: 8 }, moveToDelayed: jest.fn() }) as unknown as Job<ApiCallJob>;
  const data: ApiCallJob = {
    source: 'api',
    memberId: 'm1',
    code: 'wa_send_text',
    lineId: 'main',
    messageId: 'mABC',
    properties: { text: 'hi', phone: '79161234567' },
    receivedAt: 0,
  };

  it('stores its outcome for the caller and calls nobody back', async () => {
    const settle = jest.fn(async () => undefined);
    const send = jest.fn(async () => ({ providerMessageId: 'wamid.X' }));
    const { deps, enqueue } = setup({ apiMessages: { settle }, providerFor: () => ({ ...provider, send }) });
    expect(await createRunActionProcessor(deps)(apiJob(data))).toBe('done');
    expect(enqueue).not.toHaveBeenCalled();
    expect(settle).toHaveBeenCalledWith(
      'm1',
      'mABC',
      expect.objectContaining({ state: 'sent', providerMessageId: 'wamid.X' }),
    );
  });

  it('a refusal is stored as failed with its code', async () => {
    const settle = jest.fn(async () => undefined);
    const send = jest.fn(async () => Promise.reject(new ActionError('window_closed')));
    const messages = { ...messagesWith(null), releaseSendStep: jest.fn(async () => undefined) };
    const { deps, enqueue } = setup({ apiMessages: { settle }, messages, providerFor: () => ({ ...provider, send }) });
    expect(await createRunActionProcessor(deps)(apiJob(data))).toBe('error:window_closed');
    expect(enqueue).not.toHaveBeenCalled();
    expect(settle).toHaveBeenCalledWith(
      'm1',
      'mABC',
      expect.objectContaining({ state: 'failed', errorCode: 'window_closed' }),
    );
  });

  it('a line removed while the file addresses are checked (DNS) is not used: unknown_line', async () => {
    // The portal's config version moves while the check looks hosts up (LineStore.list serves the
    // copy of the version it is given: here v1 still has the line, v2 no longer does).
    let version = 'v1';
    const fileJob = {
      ...jobData,
      code: 'wa_send_file',
      properties: { phone: '79161234567', line: 'main', files: 'https://files.example.com/a.pdf' },
    };
    const { job } = fakeJob(0);
    job.data = fileJob;
    const { deps, enqueue } = setup({
      portals: { get: async () => portal, configVersion: async () => version },
      lines: { list: async (_memberId, asOf) => (asOf === 'v1' ? [line] : [{ ...line, id: 'other' }]) },
      addresses: {
        refusal: async () => {
          version = 'v2';
          return undefined;
        },
        dispatcher: undefined,
      },
    });
    expect(await createRunActionProcessor(deps)(job)).toBe('error:unknown_line');
    expect(enqueue).toHaveBeenCalledWith(
      'm1',
      expect.objectContaining({ returnValues: expect.objectContaining({ error_code: 'unknown_line' }) }),
    );
  });
});
