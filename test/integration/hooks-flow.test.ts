import { createHmac } from 'node:crypto';
import { actions } from '../../actions';
import { runHooksCommand } from '../../cli/hooks-command';
import { type EventPayload, eventPayloadSchema } from '../../hooks/event-schemas';
import { connectGreenApiLine, GREEN, type GreenApiLine } from '../helpers/green-api';
import { createHarness, eventually, type Harness, LINE, waitForRegistration } from '../helpers/harness';
import { CUSTOMER, say, startButtonsWait, tap, waitIdOf } from '../helpers/waits';
import { type Receiver, startReceiver } from '../simulators/receiver';

// Each event type from a real flow: webhooks into the app's doors, robots on the simulated portal,
// the workers' own deliverer POSTing to a local receiver.
describe('outbound events from real flows', () => {
  let h: Harness;
  let green: GreenApiLine;
  let receiver: Receiver;
  let secret: string;
  let subscriptionId: string;

  beforeAll(async () => {
    h = await createHarness();
    green = await connectGreenApiLine(h);
    await waitForRegistration(h, actions.length);
    receiver = await startReceiver();
    const printed = await runHooksCommand(h.rt, 'add', { portal: h.memberId, url: `${receiver.url}/events` }, []);
    secret = printed.split('\n').at(-1) ?? '';
    subscriptionId = /subscription (h_\S+) added/.exec(printed)?.[1] ?? '';
    expect(printed).toContain('(every event)');
  });
  afterAll(async () => {
    await receiver.stop();
    await green.close();
    await h.close();
  });

  /** Every event received so far, each checked against its signature and schema. */
  function events(): EventPayload[] {
    return receiver.received.map((r) => {
      const signature = `sha256=${createHmac('sha256', secret).update(r.raw).digest('hex')}`;
      expect(r.headers['x-signature-256']).toBe(signature);
      const event = eventPayloadSchema.parse(JSON.parse(r.raw));
      expect(r.headers['x-event-id']).toBe(event.id);
      return event;
    });
  }
  const find = (what: string, match: (e: EventPayload) => boolean) =>
    eventually(() => events().find(match), 10_000, what);

  it('message.received for an ordinary inbound message', async () => {
    const sent = await say(h, 'Здравствуйте, есть запись на завтра?');
    expect(sent.status).toBe(200);
    const event = await find(
      'message.received',
      (e) => e.type === 'message.received' && e.data.text.startsWith('Здрав'),
    );
    expect(event).toMatchObject({
      portal: h.memberId,
      line: 'main',
      data: { from: CUSTOMER, type: 'text', text: 'Здравствуйте, есть запись на завтра?', reply_to: '' },
    });
  });

  it('message.status for our message (Cloud API statuses), then the reply and wait.ended answered, in order', async () => {
    const run = await startButtonsWait(h);
    const waitId = waitIdOf(run);
    for (const status of ['delivered', 'read'] as const)
      await h.whatsapp.deliverStatus({
        phoneNumberId: LINE.phoneNumberId,
        wamid: run.wamid,
        status,
        recipientId: CUSTOMER,
      });
    await find(
      'read status',
      (e) => e.type === 'message.status' && e.data.message_id === run.wamid && e.data.status === 'read',
    );
    await tap(h, run, 1, 'Нет');
    const ended = await find('wait.ended', (e) => e.type === 'wait.ended' && e.data.wait_id === waitId);
    expect(ended.data).toMatchObject({
      status: 'answered',
      reason: 'reply',
      purpose: 'reply',
      phone: CUSTOMER,
      document_id: `DEAL_${run.dealId}`,
      message_id: run.wamid,
      return_values: { status: 'answered', answer: 'Нет', answer_index: '2', message_id: run.wamid },
    });
    const mine = events().filter(
      (e) =>
        (e.type === 'message.status' && e.data.message_id === run.wamid) ||
        (e.type === 'message.received' && e.data.reply_to === run.wamid) ||
        e.id === ended.id,
    );
    expect(mine.map((e) => (e.type === 'message.status' ? e.data.status : e.type))).toEqual([
      'delivered',
      'read',
      'message.received',
      'wait.ended',
    ]);
    // A repeated status webhook is the same event: not sent again.
    await h.whatsapp.deliverStatus({
      phoneNumberId: LINE.phoneNumberId,
      wamid: run.wamid,
      status: 'read',
      recipientId: CUSTOMER,
    });
    await say(h, 'marker after the repeat');
    await find('marker', (e) => e.type === 'message.received' && e.data.text === 'marker after the repeat');
    const reads = events().filter(
      (e) => e.type === 'message.status' && e.data.message_id === run.wamid && e.data.status === 'read',
    );
    expect(reads).toHaveLength(1);
  });

  it('wait.ended timeout when nobody answers', async () => {
    const run = await startButtonsWait(h, { timeoutDuration: 1 });
    const event = await find('timeout', (e) => e.type === 'wait.ended' && e.data.wait_id === waitIdOf(run));
    expect(event.data).toMatchObject({
      status: 'timeout',
      reason: 'timeout',
      return_values: { status: 'timeout', answer: '' },
    });
  });

  it('message.status from a Green-API status webhook', async () => {
    const before = green.sim.sent().length;
    const started = await h.portal.runRobot({
      code: 'wa_send_text',
      documentId: ['crm', 'CCrmDocumentDeal', `DEAL_${h.portal.createDeal({ stageId: 'NEW' })}`],
      properties: { line: GREEN.lineId, phone: CUSTOMER, text: 'Ваш заказ готов' },
    });
    expect(started.httpStatus).toBe(200);
    const message = await eventually(() => green.sim.sent().slice(before)[0], 10_000, 'text sent');
    await green.sim.deliverStatus({ idInstance: GREEN.idInstance, idMessage: message.idMessage, status: 'delivered' });
    const event = await find(
      'green status',
      (e) => e.type === 'message.status' && e.data.message_id === message.idMessage,
    );
    expect(event).toMatchObject({ line: GREEN.lineId, data: { status: 'delivered' } });
  });

  it('the CLI lists the subscription and its delivery log, refuses bad input, and removes it', async () => {
    expect(await runHooksCommand(h.rt, 'list', { portal: h.memberId }, [])).toContain(
      `${subscriptionId}\t${receiver.url}/events\t*`,
    );
    const log = await runHooksCommand(h.rt, 'deliveries', {}, [subscriptionId]);
    expect(log.split('\n')[0]).toBe('at\toutcome\thttp\tattempt\ttype\tevent\ttook\tnext try\terror');
    expect(log).toMatch(/\tdelivered\t200\t1\twait\.ended\twait\./);
    const add = (flags: Record<string, string>) => runHooksCommand(h.rt, 'add', { portal: h.memberId, ...flags }, []);
    await expect(add({ url: receiver.url, events: 'message.received,wait.done' })).rejects.toThrow(
      /unknown wait\.done/,
    );
    await expect(add({ url: receiver.url, secret: 'short' })).rejects.toThrow(/16 characters/);
    await expect(add({ url: 'not a url' })).rejects.toThrow(/not a URL/);
    await expect(runHooksCommand(h.rt, 'add', { portal: 'nope', url: receiver.url }, [])).rejects.toThrow(
      /no portal nope/,
    );
    const given = await add({ url: receiver.url, events: 'wait.ended', secret: 'my-own-secret-0123456789' });
    expect(given).toMatch(/^subscription h_\S+ added: .* \(wait\.ended\)$/);
    expect(await runHooksCommand(h.rt, 'remove', {}, [subscriptionId])).toContain('removed');
    await expect(runHooksCommand(h.rt, 'deliveries', {}, [subscriptionId])).rejects.toThrow(/no subscription/);
    const count = receiver.received.length;
    await say(h, 'after removal');
    // The other subscription (wait.ended only) proves the events went through the deliverer meanwhile.
    const run = await startButtonsWait(h, { timeoutDuration: 1 });
    await eventually(
      () => receiver.received.slice(count).some((r) => r.raw.includes(waitIdOf(run))),
      10_000,
      'wait.ended',
    );
    const later = receiver.received.slice(count).map((r) => eventPayloadSchema.parse(JSON.parse(r.raw)).type);
    expect(later).toEqual(['wait.ended']);
  });
});
