import { ActivityLog } from '../../../store/activity-log';
import { storedMessagePatch } from '../../../waits/stored-wait';
import { HOUR, line, M, PHONE, setupWaitService } from '../../helpers/wait-service-env';

// "Remember the step + record the sent message + link the wait" as one script (send-record-5.lua),
// and the trimmed message record, over a real Redis.
describe('recording a send in one step (real Redis)', () => {
  let env: ReturnType<typeof setupWaitService>;
  beforeEach(() => {
    env = setupWaitService();
  });
  afterEach(async () => {
    env.redis.disconnect();
  });

  /** A reply wait of call `callKey`, opened as an action opens it (before its message leaves). */
  async function openWait(callKey: string) {
    const call = {
      kind: 'robot' as const,
      code: 'wa_send_buttons',
      eventToken: `wf.${callKey}|A1_2_3_4|tok.sig`,
      workflowId: `wf.${callKey}`,
      documentId: ['crm', 'CCrmDocumentDeal', 'DEAL_1'],
      callKey,
      timeoutDurationSec: 0,
    };
    return env.service.open({ line, call, phone: PHONE, lang: 'en', purpose: 'reply', timeoutMs: HOUR });
  }
  const sentValues = (id: string) => ({ status: 'sent', message_id: id, delivery_status: 'sent', error: '' });
  const record = (callKey: string, waitId: string, messageId: string, waId?: string) =>
    env.messages.recordSend({
      memberId: M,
      callKey,
      step: 0,
      providerMessageId: messageId,
      phone: PHONE,
      waId,
      sentAt: env.clock.now(),
      wait: {
        id: waitId,
        patchJson: JSON.stringify(storedMessagePatch(messageId, sentValues(messageId))),
        aliasField: waId ? env.keys.waitIndexPhoneField('main', waId) : '',
      },
    });

  it('links the wait, keeps a trimmed record and leaves no sent-step key: the wait holds the step', async () => {
    const wait = await openWait('k1');
    const claim = await env.messages.claimSendStep(M, 'k1', 0, env.clock.now(), wait.id);
    expect(claim.earlier).toEqual({ state: 'new' });
    expect(await record('k1', wait.id, 'wamid.A')).toBe('sent');
    expect(await env.redis.exists(env.keys.sentStep(M, 'k1'))).toBe(0);
    expect(await env.redis.hgetall(env.keys.message(M, 'wamid.A'))).toEqual({
      s: 'sent',
      t: String(env.clock.now()),
      w: wait.id,
    });
    const linked = await env.store.get(M, wait.id);
    expect(linked).toMatchObject({ messageId: 'wamid.A', baseReturn: { status: 'sent', delivery_status: 'sent' } });
    expect((await env.store.findByMessage(M, 'wamid.A'))?.id).toBe(wait.id);
    // A retried job finds the step sent through the wait, read-only and when it claims.
    expect(await env.messages.sendStep(M, 'k1', 0, wait.id)).toEqual({ state: 'sent', messageId: 'wamid.A' });
    expect((await env.messages.claimSendStep(M, 'k1', 0, env.clock.now(), wait.id)).earlier).toEqual({
      state: 'sent',
      messageId: 'wamid.A',
    });
  });

  it('a status that came first is kept, with its time and error code, and returned to apply to the wait', async () => {
    const wait = await openWait('k2');
    await env.messages.applyStatus(M, 'wamid.B', 'failed', 1234, '131026');
    expect(await record('k2', wait.id, 'wamid.B')).toBe('failed');
    expect(await env.messages.get(M, 'wamid.B')).toMatchObject({
      memberId: M,
      providerMessageId: 'wamid.B',
      status: 'failed',
      failedAt: 1234,
      errorCode: '131026',
      sentAt: env.clock.now(),
      waitId: wait.id,
    });
    await env.messages.applyStatus(M, 'wamid.B', 'delivered', 1000);
    expect((await env.messages.get(M, 'wamid.B'))?.status).toBe('failed');
  });

  it('indexes the wait under a wa_id other than the number sent to, in the same step', async () => {
    const wait = await openWait('k3');
    await record('k3', wait.id, 'wamid.C', '5511987654321');
    expect(await env.store.get(M, wait.id)).toMatchObject({ waId: '5511987654321' });
    expect(await env.redis.hget(env.keys.waitIndex(M), env.keys.waitIndexPhoneField('main', '5511987654321'))).toBe(
      wait.id,
    );
    expect((await env.messages.get(M, 'wamid.C'))?.waId).toBe('5511987654321');
  });

  it('still reads a record an older release stored under long names, and moves its status forward', async () => {
    await env.redis.hset(env.keys.message(M, 'wamid.old'), {
      memberId: M,
      lineId: 'main',
      phone: PHONE,
      providerMessageId: 'wamid.old',
      callKey: 'k0',
      status: 'delivered',
      sentAt: '100',
      deliveredAt: '200',
      waitId: 'w0',
    });
    expect(await env.messages.get(M, 'wamid.old')).toMatchObject({
      status: 'delivered',
      sentAt: 100,
      deliveredAt: 200,
    });
    expect(await env.redis.hget(env.keys.message(M, 'wamid.old'), 'waitId')).toBe('w0');
    await env.messages.applyStatus(M, 'wamid.old', 'sent', 300);
    expect((await env.messages.get(M, 'wamid.old'))?.status).toBe('delivered');
    await env.messages.applyStatus(M, 'wamid.old', 'read', 400);
    expect(await env.messages.get(M, 'wamid.old')).toMatchObject({ status: 'read', readAt: 400, deliveredAt: 200 });
  });

  it('without a wait the step keeps its own key', async () => {
    await env.messages.recordSend({
      memberId: M,
      callKey: 'k4',
      step: 0,
      providerMessageId: 'wamid.D',
      phone: PHONE,
      sentAt: env.clock.now(),
    });
    expect(await env.messages.sentStep(M, 'k4', 0)).toBe('wamid.D');
    expect(await env.redis.hgetall(env.keys.message(M, 'wamid.D'))).toEqual({ s: 'sent', t: String(env.clock.now()) });
  });

  it("notes the send in the settings page's recent sends in the same step (no round trip of its own)", async () => {
    const activity = new ActivityLog(env.redis, env.keys);
    const at = env.clock.now();
    const recent = activity.sentNote({ messageId: 'wamid.E', lineId: 'main', phone: PHONE, at });
    await env.messages.recordSend({
      memberId: M,
      callKey: 'k5',
      step: 0,
      providerMessageId: 'wamid.E',
      phone: PHONE,
      sentAt: at,
      recent,
    });
    expect(await activity.recentSends(M)).toEqual([{ messageId: 'wamid.E', lineId: 'main', phone: PHONE, at }]);
    // Nothing noted without an entry: the list is left alone.
    await env.messages.recordSend({
      memberId: M,
      callKey: 'k6',
      step: 0,
      providerMessageId: 'wamid.F',
      phone: PHONE,
      sentAt: at,
    });
    expect(await activity.recentSends(M)).toHaveLength(1);
    expect(await env.redis.ttl(env.keys.recentSends(M))).toBeGreaterThan(0);
  });

  it('a recent-sends push Redis refuses (a key of another type) only warns: the send is recorded', async () => {
    const activity = new ActivityLog(env.redis, env.keys);
    await env.redis.set(env.keys.recentSends(M), 'not a list');
    const failures: string[] = [];
    const status = await env.messages.recordSend({
      memberId: M,
      callKey: 'k7',
      step: 0,
      providerMessageId: 'wamid.G',
      phone: PHONE,
      sentAt: env.clock.now(),
      recent: activity.sentNote({ messageId: 'wamid.G', lineId: 'main', phone: PHONE, at: env.clock.now() }),
      onRecentFailed: (reason) => failures.push(reason),
    });
    expect(status).toBe('sent');
    expect(await env.messages.sentStep(M, 'k7', 0)).toBe('wamid.G');
    expect(failures).toEqual([expect.stringMatching(/WRONGTYPE/)]);
  });
});
