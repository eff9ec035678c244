import { Writable } from 'node:stream';
import type { Redis } from 'ioredis';
import pino from 'pino';
import { runPortalsCommand } from '../../cli/portals-command';
import { AppError } from '../../lib/errors/app-error';
import type { Runtime } from '../../runtime/create-runtime';
import type { BitrixPortalSimulator } from '../../simulators/bitrix24';
import { createRunActionProcessor } from '../../workers/run-action-processor';
import { createManualClock, type ManualClock } from '../helpers/manual-clock';
import { type PortalRuntime, startPortalRuntime, stopPortalRuntime } from '../helpers/portal-runtime';
import { counterValue } from '../helpers/signals';

/** The code each settled call failed with ('ok' when it worked). */
function outcomes(results: Array<PromiseSettledResult<unknown>>): string[] {
  return results.map((r) => (r.status === 'fulfilled' ? 'ok' : r.reason instanceof AppError ? r.reason.code : 'other'));
}

// A portal that keeps answering expired_token after a refresh: one refresh per 10 s (counted at the
// simulator's OAuth endpoint), the portal marked needs_reinstall, robots told so, no refresh storm.
describe('token refresh floor (real Redis, manual clock, portal simulator)', () => {
  let env: PortalRuntime;
  let portal: BitrixPortalSimulator;
  let redis: Redis;
  let rt: Runtime;
  let clock: ManualClock;
  let memberId: string;
  let logged: Array<{ level: number; msg: string }>;
  /** The "reinstall the app" warnings written so far. */
  const reinstallWarnings = () => logged.filter((l) => l.level === 40 && l.msg.includes('needs_reinstall'));

  beforeEach(async () => {
    // The simulator's token expiry runs on real time: the manual clock starts there.
    clock = createManualClock(Date.now());
    logged = [];
    const sink = new Writable({
      write(chunk, _encoding, done) {
        logged.push(JSON.parse(String(chunk)) as { level: number; msg: string }); // cast: pino writes JSON lines
        done();
      },
    });
    env = await startPortalRuntime({ prefix: 'rf', clock, log: pino({ level: 'warn' }, sink) });
    ({ portal, redis, rt, memberId } = env);
  });
  afterEach(() => stopPortalRuntime(env));

  const twentyCalls = () => Promise.allSettled(Array.from({ length: 20 }, () => rt.bitrix(memberId).call('app.info')));
  const oauthRequests = () => portal.stats().oauthRequests;

  it('20 concurrent calls: one refresh in 10 s, the portal flagged, every call told to reinstall; one more try after 10 s', async () => {
    portal.refuseTokens();
    expect(outcomes(await twentyCalls())).toEqual(Array(20).fill('portal_needs_reinstall'));
    expect(oauthRequests()).toBe(1);
    expect((await rt.portals.get(memberId))?.needsReinstall).toBe(clock.now());
    expect(await counterValue(rt.metrics.portalsNeedingReinstall, { reason: 'expired_after_refresh' })).toBe(1);
    const listed = await runPortalsCommand(rt, 'list', {});
    expect(listed.split('\n')[0]).toContain('needs reinstall');
    expect(listed).toContain(`yes, since ${new Date(clock.now()).toISOString()}`);

    // Within the floor a flagged portal is not even called.
    clock.advance(9_999);
    const restBefore = portal.stats().restRequests;
    expect(outcomes(await twentyCalls())).toEqual(Array(20).fill('portal_needs_reinstall'));
    expect(portal.stats().restRequests).toBe(restBefore);
    expect(oauthRequests()).toBe(1);

    // 10 s after the refresh: exactly one more try, then the floor holds again.
    clock.advance(1);
    expect(outcomes(await twentyCalls())).toEqual(Array(20).fill('portal_needs_reinstall'));
    expect(oauthRequests()).toBe(2);
    expect(outcomes(await twentyCalls())).toEqual(Array(20).fill('portal_needs_reinstall'));
    expect(oauthRequests()).toBe(2);
    // Still the same portal in trouble: counted and flagged once, one warning in the minute.
    expect(await counterValue(rt.metrics.portalsNeedingReinstall)).toBe(1);
    expect((await rt.portals.get(memberId))?.needsReinstall).toBe(clock.now() - 10_000);
    expect(reinstallWarnings()).toHaveLength(1);
    // A minute after the first warning, the next refusal warns again.
    clock.advance(50_000);
    expect(outcomes(await twentyCalls())).toEqual(Array(20).fill('portal_needs_reinstall'));
    expect(oauthRequests()).toBe(3);
    expect(reinstallWarnings()).toHaveLength(2);
  });

  it('robot calls end with portal_needs_reinstall (not retried), in the portal language', async () => {
    const contactId = portal.createContact({ name: 'Иван', phones: [{ value: '+79161234567', valueType: 'MOBILE' }] });
    const dealId = portal.createDeal({ stageId: 'NEW', contactId });
    await rt.lines.add({
      id: 'main',
      memberId,
      provider: 'cloud',
      phoneNumberId: '200000000000002',
      accessToken: 'EAAG-line-token',
      name: 'Main line',
      createdAt: clock.now(),
    });
    portal.refuseTokens();
    const processRunAction = createRunActionProcessor(rt);
    const jobs = await Promise.all(
      Array.from({ length: 5 }, (_, i) =>
        rt.queues.enqueueRunAction({
          memberId,
          code: 'wa_send_text',
          kind: 'robot',
          eventToken: `wf${i}|A1|tok${i}.sig`,
          workflowId: `wf${i}`,
          documentId: ['crm', 'CCrmDocumentDeal', `DEAL_${dealId}`],
          documentType: ['crm', 'CCrmDocumentDeal', 'DEAL'],
          // No phone: the recipient is read from the deal's contact, which needs the portal.
          properties: { text: 'Здравствуйте' },
          useSubscription: true,
          receivedAt: clock.now(),
        }),
      ),
    );
    const results = await Promise.all(jobs.map((job) => processRunAction(job)));
    expect(results).toEqual(Array(5).fill('error:portal_needs_reinstall'));
    expect(oauthRequests()).toBe(1);
    const pending = Object.values(await redis.hgetall(rt.keys.callbackPending(memberId))).map(
      // cast: the outbox's own JSON (callbackSchema); only returnValues is read.
      (json) => JSON.parse(json) as { returnValues: Record<string, string> },
    );
    expect(pending).toHaveLength(5);
    for (const callback of pending) {
      expect(callback.returnValues).toMatchObject({ status: 'error', error_code: 'portal_needs_reinstall' });
      expect(callback.returnValues.error).toContain('переустановить приложение');
    }
  });

  it('an OAuth server that refuses the refresh token (invalid_grant) flags the portal at once', async () => {
    const stored = await rt.portals.get(memberId);
    if (!stored) throw new Error('portal not stored');
    await rt.portals.save({ ...stored, refreshToken: 'spent-refresh-token' });
    portal.expireAccessToken();
    expect(outcomes(await twentyCalls())).toEqual(Array(20).fill('portal_needs_reinstall'));
    expect(oauthRequests()).toBe(1);
    expect((await rt.portals.get(memberId))?.needsReinstall).toBe(clock.now());
    expect(await counterValue(rt.metrics.portalsNeedingReinstall, { reason: 'invalid_grant' })).toBe(1);
  });

  it('a reinstall (new tokens) clears the flag; so does the first call that works after the floor', async () => {
    portal.refuseTokens();
    expect(outcomes(await twentyCalls())).toContain('portal_needs_reinstall');
    // Reinstalled: the install stores its new tokens over the existing record (install-portal.ts merges so).
    portal.refuseTokens(false);
    const existing = await rt.portals.get(memberId);
    if (!existing) throw new Error('portal not stored');
    const offered = portal.state.issueTokens();
    await rt.portals.save({ ...existing, accessToken: offered.accessToken, refreshToken: offered.refreshToken });
    expect((await rt.portals.get(memberId))?.needsReinstall).toBeUndefined();
    expect(outcomes(await twentyCalls())).toEqual(Array(20).fill('ok'));

    // A portal that recovers by itself: flagged, then fine again once the floor lets a call through.
    portal.refuseTokens();
    clock.advance(10_000);
    await twentyCalls();
    expect((await rt.portals.get(memberId))?.needsReinstall).toBeDefined();
    portal.refuseTokens(false);
    expect(outcomes(await twentyCalls())).toEqual(Array(20).fill('portal_needs_reinstall'));
    clock.advance(10_000);
    expect(outcomes(await twentyCalls())).toEqual(Array(20).fill('ok'));
    expect((await rt.portals.get(memberId))?.needsReinstall).toBeUndefined();
  });
});
