import { Worker } from 'bullmq';
import type { PortalClient } from '../../../bitrix/portal-client';
import { AppError } from '../../../lib/errors/app-error';
import { createLogger } from '../../../lib/logger';
import {
  type AttachLineDeps,
  attachLine,
  detachLine,
  type SetupKind,
  setUpConnector,
} from '../../../openlines/attach-line';
import { CONNECTOR_ID } from '../../../openlines/connector';
import { retryBackoffStrategy } from '../../../queues/job-retry';
import { queueNames } from '../../../queues/job-schemas';
import { createRedis, type RedisClient } from '../../../redis/connect';
import { switchConnectorOff } from '../../../simulators/bitrix24/methods/imconnector';
import { injectRestFault } from '../../../simulators/bitrix24/rest-faults';
import { createPortalSetupProcessor } from '../../../workers/portal-setup-processor';
import type { Harness } from '../../helpers/harness';
import { createManualClock } from '../../helpers/manual-clock';
import { jobLog } from '../../helpers/signals';
import { ownDispatchEachTest } from './openline-helpers';

/** `client` with `after` run once each `method` call has answered (before its caller goes on). */
function hookAfter(client: PortalClient, method: string, after: () => Promise<void>): PortalClient {
  return new Proxy(client, {
    get(target, prop, receiver) {
      if (prop !== 'call') return Reflect.get(target, prop, receiver);
      return async (called: string, params?: Parameters<PortalClient['call']>[1]) => {
        const answer = await target.call(called, params);
        if (called === method) await after();
        return answer;
      };
    },
  });
}

/**
 * Switch-off checks racing the portal and each other (review of s22/ol-fix, BUG 1 and BUG 2). Each
 * case starts from the app's own late event: the line was detached and attached to open line 1
 * again, the portal's event of the detach held until the test releases it. The test's worker runs
 * the checks with two hooks: `afterStatus(k)` once the k-th `imconnector.status` answered (between a
 * check's question and its write), `afterCheck(k)` once the k-th check's processor returned (its
 * job not finished yet: an event then cannot be deduplicated against it).
 */
describe('open lines: switch-off checks racing the portal', () => {
  const clock = createManualClock();
  let h: Harness;
  let connection: RedisClient;
  let worker: Worker;
  let startWorker: () => Worker;
  let afterStatus: (k: number) => Promise<void>;
  let afterCheck: (k: number) => Promise<void>;
  ownDispatchEachTest({ clock }, (each) => {
    h = each;
  });
  beforeEach(async () => {
    let statusCalls = 0;
    let checksRun = 0;
    afterStatus = async () => undefined;
    afterCheck = async () => undefined;
    // The client the processor gets, the hook run after each status answer.
    const spied = (memberId: string): PortalClient =>
      hookAfter(h.rt.bitrix(memberId), 'imconnector.status', () => afterStatus(++statusCalls));
    const processor = createPortalSetupProcessor({
      ...h.rt,
      bitrix: Object.assign(spied, { probe: h.rt.bitrix.probe }),
    });
    connection = createRedis(h.redisUrl, 'worker');
    startWorker = () =>
      new Worker(
        queueNames.portalSetup,
        async (job) => {
          const value = await processor(job);
          await afterCheck(++checksRun);
          return value;
        },
        { connection, prefix: h.rt.queues.prefix, settings: { backoffStrategy: retryBackoffStrategy } },
      );
    worker = startWorker();
    // The app's own switch-off (detach), held; attached to 1 again: its event is now late.
    h.portal.state.openLines.holdSwitchOffEvents = true;
    clock.advance(1000);
    await detachLine(h.rt.openLineSetup, h.memberId, 'main');
    clock.advance(1000);
    await attachLine(h.rt.openLineSetup, h.memberId, 'main', '1');
    h.portal.state.openLines.holdSwitchOffEvents = false;
  });
  afterEach(async () => {
    await worker.close();
    connection.disconnect();
  });

  const releaseLateEvent = () => h.portal.state.openLines.releaseSwitchOffEvents();
  const adminOff = () => switchConnectorOff(h.portal.state, CONNECTOR_ID, 1, 'admin-off');
  const portalSaysOn = () => h.portal.state.openLines.statuses.get(`${CONNECTOR_ID}|1`)?.active === true;
  const repeatEvent = async () => {
    const [delivery] = await h.portal.deliverEvent('ONIMCONNECTORSTATUSDELETE', { connector: CONNECTOR_ID, line: '1' });
    expect(delivery?.status).toBe(200);
  };
  const attachment = () => h.rt.openLines.forLine(h.memberId, 'main');
  const checks = () => jobLog(h, h.rt.queues.portalSetup);

  it('BUG 1: an admin switches off between the check’s question and its write, a status call then fails: off', async () => {
    afterStatus = async (k) => {
      if (k !== 1) return;
      await adminOff();
      injectRestFault(h.portal.state, { code: 'QUERY_LIMIT_EXCEEDED', times: 1, method: 'imconnector.status' });
    };
    const log = await checks();
    expect(await releaseLateEvent()).toBe(1);
    // The late event's check is superseded by the admin's; that one fails once, asks again: off.
    expect(await log.completed(2, 'both checks', 20_000)).toEqual(['superseded', 'off']);
    expect(portalSaysOn()).toBe(false);
    expect(await attachment()).toMatchObject({ openLineId: '1', active: false });
  });

  it('the check run again after its write (a stall), the admin’s event still on its way: asks again, off', async () => {
    afterCheck = async (k) => {
      if (k !== 1) return;
      h.portal.state.openLines.holdSwitchOffEvents = true;
      await adminOff();
      throw new AppError('worker_lost', 'the worker stopped before the job finished', { retryable: true });
    };
    const log = await checks();
    expect(await releaseLateEvent()).toBe(1);
    expect(await log.completed(1, 'the late event’s check, run twice', 20_000)).toEqual(['off']);
    expect(await attachment()).toMatchObject({ openLineId: '1', active: false });
    const admin = await checks();
    expect(await releaseLateEvent()).toBe(1);
    expect(await admin.completed(1, 'the admin’s check')).toEqual(['off']);
    expect(portalSaysOn()).toBe(false);
    expect(await attachment()).toMatchObject({ openLineId: '1', active: false });
  });

  it('BUG 2: the event repeated while the first check finishes: its own check runs, on as the portal says', async () => {
    afterCheck = async (k) => {
      if (k === 1) await repeatEvent();
    };
    const log = await checks();
    expect(await releaseLateEvent()).toBe(1);
    expect(await log.completed(2, 'the check of each event')).toEqual(['on', 'on']);
    expect(portalSaysOn()).toBe(true);
    expect(await attachment()).toMatchObject({ openLineId: '1', active: true });
  });

  it('an admin’s switch-off while the first check finishes: its own check runs, off as the portal says', async () => {
    afterCheck = async (k) => {
      if (k === 1) await adminOff();
    };
    const log = await checks();
    expect(await releaseLateEvent()).toBe(1);
    expect(await log.completed(2, 'the check of each event')).toEqual(['on', 'off']);
    expect(portalSaysOn()).toBe(false);
    expect(await attachment()).toMatchObject({ openLineId: '1', active: false });
  });

  it('two events queued before any check runs: the newer one’s check goes first and decides, the older is superseded', async () => {
    await worker.close();
    const log = await checks();
    expect(await releaseLateEvent()).toBe(1);
    await repeatEvent();
    // Neither event touched the attachment: it stays on until a check says otherwise.
    expect(await attachment()).toMatchObject({ openLineId: '1', active: true });
    worker = startWorker();
    expect(await log.completed(2, 'both checks')).toEqual(['on', 'superseded']);
    expect(await attachment()).toMatchObject({ openLineId: '1', active: true });
  });

  it('a check queued after a setup job that still waits runs first (lifo)', async () => {
    await worker.close();
    const log = await checks();
    await h.rt.queues.enqueueLinesChanged(h.memberId, clock.now());
    expect(await releaseLateEvent()).toBe(1);
    worker = startWorker();
    const [first, second] = await log.completed(2, 'the check and the setup', 30_000);
    expect(first).toBe('on');
    expect(String(second)).toMatch(/^registered /);
  });

  describe('a setup job switching the connector on while a check is pending (review s22-final, RISK 1)', () => {
    // The late event of beforeEach stays held: only the admin's switch-off and the setup race here.
    const setUp = (kind: SetupKind, change: Partial<AttachLineDeps> = {}) =>
      setUpConnector({ ...h.rt.openLineSetup, ...change }, h.memberId, kind);

    it('a change of lines while the admin’s check is pending leaves the connector alone: off at the portal, off as the check writes', async () => {
      afterStatus = async (k) => {
        if (k === 1) expect(await setUp('lines')).toBe(0);
      };
      const log = await checks();
      await adminOff();
      expect(await log.completed(1, 'the admin’s check')).toEqual(['off']);
      expect(portalSaysOn()).toBe(false);
      // No check numbered after the admin's: the setup switched nothing on.
      expect(await attachment()).toMatchObject({ openLineId: '1', active: false, checkSeq: 1 });
    });

    // A reinstall must switch every attachment on again (its connector's statuses are gone): it may
    // override an admin's switch-off that is still being checked, and the flag then follows the portal.
    it('a reinstall’s ACTIVE=1 after the admin’s check asked, before that check writes: a new check asks again, on as the portal', async () => {
      afterStatus = async (k) => {
        if (k === 1) expect(await setUp('update')).toBe(1);
      };
      const log = await checks();
      await adminOff();
      expect(await log.completed(2, 'the admin’s check and the setup’s')).toEqual(['superseded', 'on']);
      expect(portalSaysOn()).toBe(true);
      expect(await attachment()).toMatchObject({ openLineId: '1', active: true, checkSeq: 2 });
    });

    it('a reinstall’s ACTIVE=1 after the admin’s check asked, that check writing off before the setup reads again: a new check, on', async () => {
      const log = await checks();
      let activated: () => void = () => undefined;
      const switchedOn = new Promise<void>((resolve) => {
        activated = resolve;
      });
      // The setup's ACTIVE=1 answered: the admin's check goes on and writes before the setup reads again.
      const setupClient = (memberId: string) =>
        hookAfter(h.rt.bitrix(memberId), 'imconnector.activate', async () => {
          activated();
          await log.completed(1, 'the admin’s check wrote');
        });
      let setup: Promise<number> = Promise.resolve(0);
      afterStatus = async (k) => {
        if (k !== 1) return;
        setup = setUp('update', { bitrix: setupClient });
        await Promise.race([switchedOn, setup]);
      };
      await adminOff();
      expect(await log.completed(2, 'the admin’s check and the setup’s')).toEqual(['off', 'on']);
      expect(await setup).toBe(1);
      expect(portalSaysOn()).toBe(true);
      expect(await attachment()).toMatchObject({ openLineId: '1', active: true, checkSeq: 2 });
    });

    /** Setup clients whose ACTIVE=1 reaches the portal, the attachment's setup failing after it. */
    const afterSwitchOn = {
      'the channel data refused (the REST limit)': (memberId: string) => {
        injectRestFault(h.portal.state, {
          code: 'QUERY_LIMIT_EXCEEDED',
          times: 1,
          method: 'imconnector.connector.data.set',
        });
        return h.rt.bitrix(memberId);
      },
      'the ACTIVE=1’s answer lost': (memberId: string) =>
        hookAfter(h.rt.bitrix(memberId), 'imconnector.activate', () => Promise.reject(new AppError('timeout', 'lost'))),
    };

    it.each(Object.entries(afterSwitchOn))(
      'a reinstall failing after its ACTIVE=1 reached the portal (%s): logged, and a new check asks again, on as the portal',
      async (_, bitrix) => {
        const lines: string[] = [];
        const log = createLogger('info', { write: (line: string) => void lines.push(line) });
        afterStatus = async (k) => {
          if (k === 1) expect(await setUp('update', { bitrix, log })).toBe(0);
        };
        const done = await checks();
        await adminOff();
        expect(await done.completed(2, 'the admin’s check and the setup’s')).toEqual(['superseded', 'on']);
        expect(portalSaysOn()).toBe(true);
        expect(await attachment()).toMatchObject({ openLineId: '1', active: true, checkSeq: 2 });
        expect(lines.map((l) => JSON.parse(l))).toContainEqual(
          expect.objectContaining({ level: 50, openLineId: '1', msg: 'could not apply an open-line attachment' }),
        );
      },
    );

    it.each<SetupKind>(['lines', 'update'])(
      'no check pending and nothing changed: the setup (%s) switches on and queues no check',
      async (kind) => {
        // No worker: a check queued by mistake stays waiting, where it is seen.
        await worker.close();
        expect(await setUp(kind)).toBe(1);
        expect(await h.rt.queues.portalSetup.getJobs(['wait', 'prioritized', 'delayed', 'active'])).toEqual([]);
        expect(portalSaysOn()).toBe(true);
        expect(await attachment()).toMatchObject({ openLineId: '1', active: true });
      },
    );
  });

  it('an admin’s switch-off between a re-save’s ACTIVE=1 and its store (RISK 4): the new attachment is checked, off', async () => {
    await worker.close();
    const log = await checks();
    // After the re-save's last call (its status check), before its store: the event numbers a
    // check of the record the re-save is about to replace.
    const resave = {
      ...h.rt.openLineSetup,
      bitrix: (memberId: string) => hookAfter(h.rt.bitrix(memberId), 'imconnector.status', adminOff),
    };
    clock.advance(1000);
    await attachLine(resave, h.memberId, 'main', '1');
    expect(portalSaysOn()).toBe(false);
    worker = startWorker();
    // lifo: the new attachment's check first; the replaced record's check finds it gone.
    expect(await log.completed(2, 'the check of each record')).toEqual(['off', 'changed']);
    expect(await attachment()).toMatchObject({ openLineId: '1', active: false, checkSeq: 1 });
  });
});
