import { takeOpenLineEvent } from '../../../app/doors/open-line-events';
import { createLogger } from '../../../lib/logger';
import { setUpConnector } from '../../../openlines/attach-line';
import { CONNECTOR_ID } from '../../../openlines/connector';
import { CHECK_REQUEUE_BASE_MS } from '../../../openlines/switch-off-check';
import { requeueUnsettledChecks } from '../../../openlines/unsettled-checks';
import { SWITCH_OFF_CHECK } from '../../../queues/job-schemas';
import { switchConnectorOff } from '../../../simulators/bitrix24/methods/imconnector';
import { injectRestFault } from '../../../simulators/bitrix24/rest-faults';
import type { ChatItem } from '../../../store/open-line-outbox';
import type { Harness } from '../../helpers/harness';
import { createManualClock } from '../../helpers/manual-clock';
import { counterValue, jobLog } from '../../helpers/signals';
import {
  CHAT_ID,
  checkWorkerEachTest,
  customerItem,
  ownDispatchEachTest,
  ownDispatcher,
  waitingSwitchOffChecks,
} from './openline-helpers';

/** How long the chats of a refused open line pause (the dispatcher's NOT_ACTIVE_PAUSE_MS). */
const PAUSE_MS = 5 * 60_000;
/** A second customer's chat on line `main`. */
const OTHER_CHAT = '79990003344-main';

/**
 * A switch-off check lost (review s22-final, RISK 2): an admin switched the connector off on open
 * line 1, but the check of that event never wrote (it gave up, or its enqueue failed). The
 * attachment still says on, so nothing would ever repair it. The portal's refusal of the next
 * customer message (NOT_ACTIVE_LINE) queues the check again: the line ends off, and the items go
 * as for any line switched off (kept while the chat pauses, then dropped with a note).
 */
describe('open lines: a lost switch-off check is queued again by the next refusal', () => {
  const clock = createManualClock();
  let h: Harness;
  ownDispatchEachTest({ clock }, (each) => {
    h = each;
  });
  const checkWorker = checkWorkerEachTest(() => h);

  const queue = (item: ChatItem, chatId = CHAT_ID) => h.rt.openLineOutbox.enqueue(h.memberId, chatId, item);
  const adminOff = () => switchConnectorOff(h.portal.state, CONNECTOR_ID, 1, 'admin-off');
  const attachment = () => h.rt.openLines.forLine(h.memberId, 'main');
  const checks = () => jobLog(h, h.rt.queues.portalSetup);
  const pending = (chatId = CHAT_ID) => h.rt.openLineOutbox.pending(h.memberId, chatId);
  const waitingChecks = () => waitingSwitchOffChecks(h);

  /** After the repair: the next round, past the pause, drops the chat's items as for a line switched off. */
  async function droppedAfterPause(chatIds: string[]): Promise<void> {
    clock.advance(PAUSE_MS + 1);
    for (const chatId of chatIds) await ownDispatcher(h).drainChat(h.memberId, chatId);
    for (const chatId of chatIds) expect(await pending(chatId)).toBe(0);
    // One note per chat.
    const notes = chatIds.map(() => ({ code: 'open_line_detached', lineId: 'main' }));
    expect(await h.rt.activity.recentErrors(h.memberId)).toMatchObject(notes);
  }

  it('the check gave up (status refused): the next refused message queues it again, off; its items then go as for a switched-off line', async () => {
    injectRestFault(h.portal.state, { code: 'ACCESS_DENIED', times: 1, method: 'imconnector.status' });
    const counted = (outcome: string) => counterValue(h.rt.metrics.jobs, { queue: SWITCH_OFF_CHECK, outcome });
    const lost = await checks();
    await adminOff();
    expect(await lost.completed(1, 'the check that gave up')).toEqual(['unconfirmed']);
    expect(await counted('unconfirmed')).toBe(1);
    expect(await attachment()).toMatchObject({ openLineId: '1', active: true, checkSeq: 1 });

    await queue(customerItem('lost', 1));
    const repair = await checks();
    await ownDispatcher(h).drainChat(h.memberId, CHAT_ID);
    expect(await repair.completed(1, 'the check queued again by the refusal')).toEqual(['off']);
    expect(await attachment()).toMatchObject({ openLineId: '1', active: false, checkSeq: 1 });
    expect(await counted('off')).toBe(1);
    // Not dropped by the refusal itself: the chat paused as before.
    expect(await pending()).toBe(1);
    expect(await h.rt.activity.recentErrors(h.memberId)).toEqual([]);
    await droppedAfterPause([CHAT_ID]);
  });

  it('the door numbered the check but could not queue it: logged, 5xx, and the next refused message queues it', async () => {
    h.portal.state.openLines.holdSwitchOffEvents = true;
    await adminOff();
    const lines: string[] = [];
    const log = createLogger('info', { write: (line: string) => void lines.push(line) });
    const door = {
      ...h.rt,
      log,
      queues: { ...h.rt.queues, enqueueSwitchOffCheck: () => Promise.reject(new Error('queue unreachable')) },
    };
    const event = { data: { connector: CONNECTOR_ID, line: '1' } };
    await expect(takeOpenLineEvent(door, h.memberId, 'ONIMCONNECTORSTATUSDELETE', event)).rejects.toThrow(
      'queue unreachable',
    );
    expect(lines.map((l) => JSON.parse(l))).toMatchObject([
      { level: 50, openLineId: '1', seq: 1, msg: 'switch-off check not queued: the attachment is left unchecked' },
    ]);
    expect(await attachment()).toMatchObject({ active: true, checkSeq: 1 });
    expect(await waitingChecks()).toEqual([]);

    await queue(customerItem('unqueued', 1));
    const repair = await checks();
    await ownDispatcher(h).drainChat(h.memberId, CHAT_ID);
    expect(await repair.completed(1, 'the check queued by the refusal')).toEqual(['off']);
    expect(await attachment()).toMatchObject({ active: false, checkSeq: 1 });
    await droppedAfterPause([CHAT_ID]);
  });

  it('no storm: several chats refused while the check waits queue one check, and refusals after it add none', async () => {
    await checkWorker.stop();
    h.portal.state.openLines.holdSwitchOffEvents = true;
    // The admin's event is lost on the way (held, never released): the attachment never heard of it.
    await adminOff();
    await queue(customerItem('a', 1));
    await queue(customerItem('b', 1, OTHER_CHAT), OTHER_CHAT);
    for (const chatId of [CHAT_ID, OTHER_CHAT]) await ownDispatcher(h).drainChat(h.memberId, chatId);
    // Refused twice; the one check's job id names the attachment's number (0: no event yet).
    const waiting = await waitingChecks();
    expect(waiting.map((job) => job.data)).toEqual([
      expect.objectContaining({ memberId: h.memberId, openLineId: '1', lineId: 'main', seq: 0 }),
    ]);
    const repair = await checks();
    checkWorker.start();
    expect(await repair.completed(1, 'the one check')).toEqual(['off']);
    expect(await attachment()).toMatchObject({ active: false });
    // Refusals now find the line off in the app: the items are dropped, no check is queued again
    // (no worker: a check queued by mistake stays waiting, where it is seen).
    await checkWorker.stop();
    await droppedAfterPause([CHAT_ID, OTHER_CHAT]);
    expect(await waitingChecks()).toEqual([]);
    expect((await repair.finished()).length).toBe(1);
  });

  it('checks that do not end off (the status call refused): refusals queue one again at most once a period per attachment', async () => {
    const chats = ['a', 'b', 'c', 'd', 'e'].map((_, i) => `7999000556${i}-main`);
    h.portal.state.openLines.holdSwitchOffEvents = true;
    await adminOff();
    // Every check gives up (`unconfirmed`): the next refusal of each chat would queue it again.
    injectRestFault(h.portal.state, { code: 'ACCESS_DENIED', times: 10, method: 'imconnector.status' });
    for (const [i, chatId] of chats.entries()) await queue(customerItem(`t${i}`, 1, chatId), chatId);
    const [first, second, third, fourth, fifth] = chats;
    const refused = async (...ids: Array<string | undefined>) => {
      for (const chatId of ids) if (chatId) await ownDispatcher(h).drainChat(h.memberId, chatId);
    };
    const log = await checks();
    await refused(first);
    expect(await log.completed(1, 'the first refusal’s check')).toEqual(['unconfirmed']);
    // No worker from here: what is queued stays waiting, where it is seen.
    await checkWorker.stop();
    await refused(second, third);
    expect(await waitingChecks()).toEqual([]);
    clock.advance(CHECK_REQUEUE_BASE_MS - 1);
    await refused(fourth);
    expect(await waitingChecks()).toEqual([]);
    // The period over: the next refusal queues the check again.
    clock.advance(1);
    await refused(fifth);
    expect((await waitingChecks()).map((job) => job.data)).toEqual([expect.objectContaining({ seq: 0 })]);
    // Every chat was refused (its item kept while it pauses).
    for (const chatId of chats) expect(await pending(chatId)).toBe(1);
    expect(h.portal.state.stats.byMethod['imconnector.send.messages']).toBe(chats.length);
  });
  it('refusals while the check waits take no re-queue slot: once it gives up, the first refusal queues it at the first period', async () => {
    const requeues = () => h.redis.hgetall(h.rt.keys.openLineCheckRequeues(h.memberId));
    const chats = [0, 1, 2, 3, 4].map((i) => `7999000557${i}-main`);
    const refused = async (chatId = '') => {
      await queue(customerItem(`w${chatId}`, 1, chatId), chatId);
      await ownDispatcher(h).drainChat(h.memberId, chatId);
      expect(await pending(chatId)).toBe(1);
    };
    // The admin's check waits behind a backlog (no worker): every refusal meanwhile finds it pending.
    await checkWorker.stop();
    await adminOff();
    expect(await waitingChecks()).toHaveLength(1);
    const [first, second, third, fourth, fifth] = chats;
    for (const [chatId, waitMs] of [
      [first, 0],
      [second, CHECK_REQUEUE_BASE_MS],
      [third, 2 * CHECK_REQUEUE_BASE_MS],
      [fourth, 4 * CHECK_REQUEUE_BASE_MS],
    ] as const) {
      clock.advance(waitMs);
      await refused(chatId);
    }
    // Before review s23-ol3 each of them took a slot (at 0, 1, 3 and 7 minutes): a count of 4.
    expect(await requeues()).toEqual({});
    expect(await waitingChecks()).toHaveLength(1);
    // The check runs and gives up; the next refusal queues it again, counted once.
    injectRestFault(h.portal.state, { code: 'ACCESS_DENIED', times: 1, method: 'imconnector.status' });
    const lost = await checks();
    checkWorker.start();
    expect(await lost.completed(1, 'the check that waited')).toEqual(['unconfirmed']);
    await checkWorker.stop();
    await refused(fifth);
    expect((await waitingChecks()).map((job) => job.data)).toEqual([expect.objectContaining({ seq: 1 })]);
    const { openLineCheckRequeueCountField: countField } = h.rt.keys;
    expect((await requeues())[countField('main')]).toBe('1');
  });

  it('a lost check on a quiet line (no refusal comes): the maintenance sweep queues it again, off; settled ones get none', async () => {
    injectRestFault(h.portal.state, { code: 'ACCESS_DENIED', times: 1, method: 'imconnector.status' });
    const lost = await checks();
    await adminOff();
    expect(await lost.completed(1, 'the check that gave up')).toEqual(['unconfirmed']);
    expect(await attachment()).toMatchObject({ active: true, checkSeq: 1 });
    expect((await attachment())?.settledSeq).toBeUndefined();
    // A change of lines does not switch the unsettled attachment back on.
    expect(await setUpConnector(h.rt.openLineSetup, h.memberId, 'lines')).toBe(0);
    expect(h.portal.state.openLines.statuses.get(`${CONNECTOR_ID}|1`)?.active).toBe(false);

    const repair = await checks();
    expect(await requeueUnsettledChecks(h.rt, h.memberId)).toBe(1);
    expect(await repair.completed(1, 'the check the sweep queued')).toEqual(['off']);
    expect(await attachment()).toMatchObject({ active: false, checkSeq: 1, settledSeq: 1 });
    // Settled: the next sweep queues nothing (no worker: a check queued by mistake stays waiting).
    await checkWorker.stop();
    expect(await requeueUnsettledChecks(h.rt, h.memberId)).toBe(0);
    expect(await waitingChecks()).toEqual([]);
  });
});
