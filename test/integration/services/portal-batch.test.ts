import { Redis } from 'ioredis';
import { createLogger } from '../../../lib/logger';
import type { Runtime } from '../../../runtime/create-runtime';
import type { BitrixPortalSimulator } from '../../../simulators/bitrix24';
import { injectRestFault } from '../../../simulators/bitrix24/rest-faults';
import { matchReply } from '../../../waits/match-reply';
import { replyOptionsSchema } from '../../../waits/wait-schema';
import { CallbackDispatcher } from '../../../workers/callback-dispatcher';
import { eventually } from '../../helpers/harness';
import { type PortalRuntime, startPortalRuntime, stopPortalRuntime } from '../../helpers/portal-runtime';

/** The direct path's user-agent: the simulator counts batches by it (the SDK's axios sends its own). */
const DIRECT = 'b24-whatsapp-robots';

// `batch` posted directly (bitrix/batch-post.ts) against the strict portal simulator: the rows
// are taken as the SDK's were, a refused token is refreshed and the batch posted once more with
// its own REST slot, a token near its expiry is refreshed before the call, and the dispatcher's
// retries and row errors hold on this path.
describe('portal batch: the direct path (real Redis, portal simulator)', () => {
  const redisUrl = process.env.TEST_REDIS_URL ?? '';
  let env: PortalRuntime;
  let portal: BitrixPortalSimulator;
  let rt: Runtime;
  let memberId: string;

  beforeEach(async () => {
    env = await startPortalRuntime({ prefix: 'pb', log: createLogger('silent') });
    ({ portal, rt, memberId } = env);
    await rt.bitrix(memberId).call('bizproc.robot.add', {
      CODE: 'wa_batch_test',
      HANDLER: 'https://app.example/robot',
      NAME: { ru: 'Тест', en: 'Test' },
      USE_SUBSCRIPTION: 'Y',
      PROPERTIES: { text: { Name: 'Text', Type: 'string' } },
      RETURN_PROPERTIES: { status: { Name: 'Status', Type: 'string' }, message_id: { Name: 'Id', Type: 'string' } },
    });
  });
  afterEach(() => stopPortalRuntime(env));

  /** Two robot runs waiting for their results. */
  const twoRuns = () =>
    [1, 2].map((i) => {
      const dealId = portal.createDeal({ stageId: 'NEW' });
      const documentId: [string, string, string] = ['crm', 'CCrmDocumentDeal', `DEAL_${dealId}`];
      const { fields } = portal.prepareRun({ code: 'wa_batch_test', documentId, properties: { text: `t${i}` } });
      return String(fields.event_token);
    });
  const send = (tokens: string[], logMessage: string) =>
    rt.bitrix(memberId).batch(
      Object.fromEntries(
        tokens.map((eventToken, i) => [
          `c${i}`,
          [
            'bizproc.event.send',
            {
              event_token: eventToken,
              return_values: { status: 'sent', message_id: `wamid.${i}&x=[1] +~` },
              log_message: logMessage,
            },
          ] as [string, Record<string, unknown>],
        ]),
      ),
    );

  it('rows in the PHP bracket form reach the portal intact (nested values, unicode, reserved characters)', async () => {
    const tokens = twoRuns();
    const outcome = await send(tokens, 'Отправлено: 100% & готово');
    expect(outcome.errors).toEqual({});
    expect(Object.keys(outcome.results)).toEqual(['c0', 'c1']);
    const sends = portal.eventSends();
    expect(sends.map((s) => [s.eventToken, s.outcome, s.logMessage, s.returnValues.message_id])).toEqual([
      [tokens[0], 'accepted', 'Отправлено: 100% & готово', 'wamid.0&x=[1] +~'],
      [tokens[1], 'accepted', 'Отправлено: 100% & готово', 'wamid.1&x=[1] +~'],
    ]);
    // One request, by the direct path, no refresh.
    expect(portal.stats().batchCalls).toBe(1);
    expect(portal.stats().batchClients).toEqual({ [DIRECT]: 1 });
    expect(portal.stats().oauthRequests).toBe(0);
  });

  it('a row the portal refuses is that row’s error; a token the portal refuses is refreshed and the batch sent again', async () => {
    const [token] = twoRuns();
    const first = await send([token ?? '', 'no-such-token'], 'ok');
    expect(Object.keys(first.results)).toEqual(['c0']);
    expect(first.errors.c1?.code).toBeTruthy();
    // The stored token still looks fresh, but the portal no longer takes it.
    portal.expireAccessToken();
    const [again] = twoRuns();
    const second = await send([again ?? ''], 'ok');
    expect(second.errors).toEqual({});
    expect(portal.stats().oauthRequests).toBe(1);
    expect(portal.eventSends().filter((s) => s.outcome === 'accepted')).toHaveLength(2);
    // The refused post and the one after the refresh, both direct (no SDK repeat with the stale token).
    expect(portal.stats().batchClients).toEqual({ [DIRECT]: 3 });
  });

  it('a command no parameter can encode is that row’s own error; the batch’s other rows are sent', async () => {
    const [token] = twoRuns();
    const outcome = await rt.bitrix(memberId).batch({
      c0: ['bizproc.event.send', { event_token: token, return_values: { status: 'sent' }, log_message: 'ok' }],
      c1: ['bizproc.event.send', { event_token: 'x', return_values: new Map([['status', 'sent']]) }],
    });
    expect(Object.keys(outcome.results)).toEqual(['c0']);
    expect(outcome.errors.c1?.code).toBe('ERR_PARAMS_ENCODING');
    expect(portal.eventSends().map((e) => [e.eventToken, e.outcome])).toEqual([[token, 'accepted']]);
  });

  it('a refused token spends one REST slot per request: no QUERY_LIMIT_EXCEEDED at the limit', async () => {
    const tokens = twoRuns();
    // Burst 2 (the app keeps 1 of headroom), 5/s: the three requests the SDK fallback made for one slot overflow it.
    portal.setRestLimit({ drainPerSec: 5, burst: 2 });
    const stored = await rt.portals.get(memberId);
    if (!stored) throw new Error('portal not saved');
    await rt.portals.save({ ...stored, restDrainPerSec: 5, restBurst: 2 });
    portal.expireAccessToken();
    const before = portal.stats();
    const outcome = await send(tokens, 'ok');
    expect(outcome.errors).toEqual({});
    const after = portal.stats();
    expect(after.queryLimitExceeded).toBe(0);
    expect(after.restRequests - before.restRequests).toBe(2);
    expect(after.oauthRequests).toBe(1);
  });

  it('a token near its expiry is refreshed before the one direct call', async () => {
    const stored = await rt.portals.get(memberId);
    if (!stored) throw new Error('portal not saved');
    await rt.portals.save({ ...stored, expiresAt: Date.now() + 30_000 });
    const tokens = twoRuns();
    const before = portal.stats();
    const outcome = await send(tokens, 'ok');
    expect(outcome.errors).toEqual({});
    const after = portal.stats();
    expect(after.oauthRequests).toBe(1);
    expect(after.restRequests - before.restRequests).toBe(1);
    expect(after.batchClients).toEqual({ [DIRECT]: 1 });
    expect((await rt.portals.get(memberId))?.accessToken).toBe(portal.currentTokens().accessToken);
  });

  it('a 401 other than a refused token fails at once, with no refresh and no second request', async () => {
    injectRestFault(portal.state, { code: 'insufficient_scope', times: 1, method: 'batch' });
    const before = portal.stats();
    await expect(send(twoRuns(), 'ok')).rejects.toMatchObject({ code: 'insufficient_scope' });
    expect(portal.stats().oauthRequests).toBe(before.oauthRequests);
    // The fault answers before the limiter: a second post would have been counted here.
    expect(portal.stats().batchClients).toEqual({});
  });

  describe('through the callback dispatcher', () => {
    let dispatcher: CallbackDispatcher;
    let subscriber: Redis;
    beforeEach(() => {
      subscriber = new Redis(redisUrl, { maxRetriesPerRequest: null });
      dispatcher = new CallbackDispatcher({ ...rt, subscriber, safetyPollMs: 60_000 });
    });
    // stop() closes the subscriber: a second disconnect would hold the jest worker 2 s (harness' disconnectOpen).
    afterEach(() => dispatcher.stop());
    const enqueue = (eventToken: string, answer: string) =>
      rt.outbox.enqueue(memberId, {
        eventToken,
        returnValues: { status: 'sent', message_id: answer },
        logMessage: answer,
      });
    const accepted = () => portal.eventSends().filter((e) => e.outcome === 'accepted');

    it('a regex answer cut inside an emoji reaches the portal (U+FFFD), and the batch with it', async () => {
      const reply = matchReply([], replyOptionsSchema.parse({ mode: 'regex', regex: '(.+)' }), {
        text: `${'a'.repeat(999)}😀😀`,
        type: 'text',
      });
      if (!reply.matched) throw new Error('the reply did not match');
      expect(reply.answer.at(-1)).toBe('\ud83d');
      const [cut, plain] = twoRuns();
      await enqueue(cut ?? '', reply.answer);
      await enqueue(plain ?? '', 'fine');
      await dispatcher.drainOnce(memberId);
      expect(accepted().map((e) => e.returnValues.message_id)).toEqual([`${'a'.repeat(999)}\ufffd`, 'fine']);
      expect(await rt.outbox.pendingCount(memberId)).toBe(0);
    });

    it('QUERY_LIMIT_EXCEEDED on the direct path: the batch is retried and each callback sent once', async () => {
      const tokens = twoRuns();
      for (const token of tokens) await enqueue(token, 'x');
      injectRestFault(portal.state, { code: 'QUERY_LIMIT_EXCEEDED', times: 1, method: 'batch' });
      await dispatcher.drainOnce(memberId);
      expect(accepted()).toHaveLength(0);
      expect(await rt.outbox.pendingCount(memberId)).toBe(2);
      await eventually(async () => {
        await dispatcher.drainOnce(memberId);
        return (await rt.outbox.pendingCount(memberId)) === 0;
      });
      expect(
        accepted()
          .map((e) => e.eventToken)
          .sort(),
      ).toEqual([...tokens].sort());
      // The refused try never reached the limiter (the fault answers first); the retry went direct.
      expect(portal.stats().batchClients).toEqual({ [DIRECT]: 1 });
    });

    it('a row for a workflow that has ended (error 404) is acked as gone; the others are sent', async () => {
      const [gone, live] = twoRuns();
      const ended = portal.runs().find((r) => r.eventToken === gone);
      if (!ended) throw new Error('run not found');
      portal.terminateWorkflow(ended.workflowId);
      const endedCallbacks: string[] = [];
      dispatcher = new CallbackDispatcher({
        ...rt,
        subscriber,
        safetyPollMs: 60_000,
        onWorkflowGone: async (_m, callback) => void endedCallbacks.push(callback.eventToken),
      });
      await enqueue(gone ?? '', 'x');
      await enqueue(live ?? '', 'y');
      await dispatcher.drainOnce(memberId);
      expect(endedCallbacks).toEqual([gone]);
      expect(accepted().map((e) => e.eventToken)).toEqual([live]);
      expect(await rt.outbox.pendingCount(memberId)).toBe(0);
    });
  });

  it('a portal refusing every token ends in portal_needs_reinstall, as through the SDK', async () => {
    portal.refuseTokens();
    await expect(send(twoRuns(), 'ok')).rejects.toMatchObject({ code: 'portal_needs_reinstall' });
    expect(portal.eventSends()).toHaveLength(0);
  });
});
