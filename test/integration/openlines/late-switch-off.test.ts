import { Worker } from 'bullmq';
import { attachLine, detachLine } from '../../../openlines/attach-line';
import { CONNECTOR_ID } from '../../../openlines/connector';
import { retryBackoffStrategy } from '../../../queues/job-retry';
import { queueNames } from '../../../queues/job-schemas';
import { createRedis, type RedisClient } from '../../../redis/connect';
import { switchConnectorOff } from '../../../simulators/bitrix24/methods/imconnector';
import { injectRestFault, pendingRestFaults } from '../../../simulators/bitrix24/rest-faults';
import type { ChatItem } from '../../../store/open-line-outbox';
import { createPortalSetupProcessor } from '../../../workers/portal-setup-processor';
import type { Harness } from '../../helpers/harness';
import { createManualClock } from '../../helpers/manual-clock';
import { jobLog } from '../../helpers/signals';
import { CHAT_ID, customerItem, ownDispatchEachTest, ownDispatcher } from './openline-helpers';

const on = (openLineId: string, item: ChatItem): ChatItem =>
  item.kind === 'customer' ? { ...item, openLineId } : item;

/**
 * ONIMCONNECTORSTATUSDELETE queues a check that asks the portal (`imconnector.status`) and writes
 * its answer to the attachment (the door itself leaves it as it is).
 * The portal's event for the app's own switch-off arriving late (the simulator holds switch-off
 * events until the test releases them), after the line was attached there again: on after the
 * check. An admin's switch-off (the simulator's Contact Center switch, which drops the status row):
 * off, whatever the app did before on that open line.
 */
describe('open lines: a switch-off event is checked with the portal', () => {
  const clock = createManualClock();
  let h: Harness;
  let connection: RedisClient;
  let checkWorker: Worker;
  ownDispatchEachTest({ clock }, (each) => {
    h = each;
  });
  // The harness's workers are stopped (the test's own dispatcher sends): one portal-setup worker runs the checks.
  beforeEach(() => {
    connection = createRedis(h.redisUrl, 'worker');
    checkWorker = new Worker(queueNames.portalSetup, createPortalSetupProcessor(h.rt), {
      connection,
      prefix: h.rt.queues.prefix,
      settings: { backoffStrategy: retryBackoffStrategy },
    });
  });
  afterEach(async () => {
    await checkWorker.close();
    connection.disconnect();
  });

  const queue = (item: ChatItem) => h.rt.openLineOutbox.enqueue(h.memberId, CHAT_ID, item);
  const texts = (openLineId: number) =>
    h.portal.openLineChat(CONNECTOR_ID, openLineId, CHAT_ID)?.messages.map((m) => m.text);
  const held = () => h.portal.state.openLines;
  const adminOff = (line: number) => switchConnectorOff(h.portal.state, CONNECTOR_ID, line, 'admin-off');
  const attachment = () => h.rt.openLines.forLine(h.memberId, 'main');
  const checks = () => jobLog(h, h.rt.queues.portalSetup);

  it('moved 1 → 2 → 1, the event of 1 coming after the move back: on 1 after the check, and the items of 2 follow it', async () => {
    h.portal.addOpenLine(2);
    held().holdSwitchOffEvents = true;
    await queue(customerItem('lt', 1));
    clock.advance(1000);
    await attachLine(h.rt.openLineSetup, h.memberId, 'main', '2');
    await queue(on('2', customerItem('lt', 2)));
    clock.advance(1000);
    await attachLine(h.rt.openLineSetup, h.memberId, 'main', '1');
    const done = await checks();
    expect(await held().releaseSwitchOffEvents()).toBe(2);
    expect(held().switchOffEvents).toEqual([
      { connector: CONNECTOR_ID, line: 1, statuses: [200] },
      { connector: CONNECTOR_ID, line: 2, statuses: [200] },
    ]);
    // Only the event of 1 found an attachment (2 serves none now): one check.
    expect(await done.completed(1, 'the switch-off check')).toEqual(['on']);
    expect(await attachment()).toMatchObject({ openLineId: '1', active: true });
    await ownDispatcher(h).drainChat(h.memberId, CHAT_ID);
    expect(texts(1)).toEqual(['message 1', 'message 2']);
    expect(texts(2)).toBeUndefined();
    expect(await h.rt.activity.recentErrors(h.memberId)).toEqual([]);
  });

  it('detached and attached to 1 again, the event coming after: on after the check; an admin’s switch-off then: off', async () => {
    held().holdSwitchOffEvents = true;
    clock.advance(1000);
    await detachLine(h.rt.openLineSetup, h.memberId, 'main');
    clock.advance(1000);
    await attachLine(h.rt.openLineSetup, h.memberId, 'main', '1');
    const late = await checks();
    expect(await held().releaseSwitchOffEvents()).toBe(1);
    expect(await late.completed(1, 'the check of the late event')).toEqual(['on']);
    expect(await attachment()).toMatchObject({ openLineId: '1', active: true });

    held().holdSwitchOffEvents = false;
    const admin = await checks();
    await adminOff(1);
    expect(await admin.completed(1, 'the check of the admin’s switch-off')).toEqual(['off']);
    expect(await attachment()).toMatchObject({ openLineId: '1', active: false });
  });

  it('an admin’s switch-off handled before the app’s own late event: off either way', async () => {
    held().holdSwitchOffEvents = true;
    await detachLine(h.rt.openLineSetup, h.memberId, 'main');
    clock.advance(1000);
    await attachLine(h.rt.openLineSetup, h.memberId, 'main', '1');
    held().holdSwitchOffEvents = false;
    const first = await checks();
    await adminOff(1);
    expect(await first.completed(1, 'the check of the admin’s switch-off')).toEqual(['off']);
    const second = await checks();
    expect(await held().releaseSwitchOffEvents()).toBe(1);
    expect(await second.completed(1, 'the check of the app’s own late event')).toEqual(['off']);
    expect(await attachment()).toMatchObject({ openLineId: '1', active: false });
  });

  it('an admin’s switch-off while attached: off after the check', async () => {
    const done = await checks();
    await adminOff(1);
    expect(held().switchOffEvents).toEqual([{ connector: CONNECTOR_ID, line: 1, statuses: [200] }]);
    expect(await done.completed(1, 'the switch-off check')).toEqual(['off']);
    expect(await attachment()).toMatchObject({ openLineId: '1', active: false });
  });

  it('admin off, detached (no event: already off), attached again, admin off again: off', async () => {
    const first = await checks();
    await adminOff(1);
    expect(await first.completed(1, 'the first check')).toEqual(['off']);
    clock.advance(1000);
    await detachLine(h.rt.openLineSetup, h.memberId, 'main');
    clock.advance(1000);
    await attachLine(h.rt.openLineSetup, h.memberId, 'main', '1');
    expect(held().switchOffEvents).toHaveLength(1);
    const second = await checks();
    await adminOff(1);
    expect(await second.completed(1, 'the second check')).toEqual(['off']);
    expect(await attachment()).toMatchObject({ openLineId: '1', active: false });
  });

  it('a detach the portal refused (no event), the attachment saved again, then an admin’s switch-off: off', async () => {
    injectRestFault(h.portal.state, { code: 'ACCESS_DENIED', times: 1, method: 'imconnector.activate' });
    clock.advance(1000);
    await expect(detachLine(h.rt.openLineSetup, h.memberId, 'main')).rejects.toThrow(/ACCESS_DENIED/);
    clock.advance(1000);
    await attachLine(h.rt.openLineSetup, h.memberId, 'main', '1', { relayTaken: true });
    expect(held().switchOffEvents).toEqual([]);
    const done = await checks();
    await adminOff(1);
    expect(await done.completed(1, 'the switch-off check')).toEqual(['off']);
    expect(await attachment()).toMatchObject({ openLineId: '1', active: false, relayTaken: true });
  });

  it('the status call failing once: retried, then on; refused for good: the attachment left as it is', async () => {
    held().holdSwitchOffEvents = true;
    await detachLine(h.rt.openLineSetup, h.memberId, 'main');
    clock.advance(1000);
    await attachLine(h.rt.openLineSetup, h.memberId, 'main', '1');
    injectRestFault(h.portal.state, { code: 'QUERY_LIMIT_EXCEEDED', times: 1, method: 'imconnector.status' });
    const retried = await checks();
    expect(await held().releaseSwitchOffEvents()).toBe(1);
    expect(await retried.completed(1, 'the check, tried twice', 20_000)).toEqual(['on']);
    // The refused call was made (the fault answered it) before the one that answered STATUS.
    expect(pendingRestFaults(h.portal.state)).toBe(0);
    expect(await attachment()).toMatchObject({ active: true });

    // A refusal no retry mends (ACCESS_DENIED): the check ends at once and leaves it as it is (on:
    // the event changed nothing; had the connector been off, the portal would refuse messages).
    await detachLine(h.rt.openLineSetup, h.memberId, 'main');
    clock.advance(1000);
    await attachLine(h.rt.openLineSetup, h.memberId, 'main', '1');
    injectRestFault(h.portal.state, { code: 'ACCESS_DENIED', times: 1, method: 'imconnector.status' });
    const refused = await checks();
    expect(await held().releaseSwitchOffEvents()).toBe(1);
    expect(await refused.completed(1, 'the refused check')).toEqual(['unconfirmed']);
    expect(await attachment()).toMatchObject({ active: true });
  });
});
