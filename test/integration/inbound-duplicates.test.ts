import { randomUUID } from 'node:crypto';
import { webhookEvents } from '../../app/doors/whatsapp-webhook-door';
import { runHooksCommand } from '../../cli/hooks-command';
import { CONNECTOR_ID } from '../../openlines/connector';
import { enqueueInboundOnce } from '../../queues/enqueue-inbound-once';
import { DONE_EARLIER, RUN_ELSEWHERE } from '../../workers/inbound-batch';
import { contact, envelope, signed } from '../helpers/cloud-webhooks';
import { APP_SECRET, createRegisteredHarness, eventually, type Harness } from '../helpers/harness';
import { inboundQueuesWith } from '../helpers/inbound-queues';
import { inboundEvents, jobLog, settled, streamFields } from '../helpers/signals';
import { allSends, type ButtonsRun, CUSTOMER, startButtonsWait, waitField } from '../helpers/waits';
import { type Receiver, startReceiver } from '../simulators/receiver';
import { CUSTOMER as CHAT_CUSTOMER, CHAT_ID, chatWith, openLineHarness } from './openlines/openline-helpers';

/**
 * Inbound events are queued in batches with random job ids (queues/inbound-batcher.ts): two first
 * deliveries of one event that both pass the door's seen-marker check before either writes it are
 * both queued — in two batch jobs, or side by side in one. The event must still run once (the job
 * that claims its run first, inbound-seen-claim-1.lua): these tests race the door's steps
 * deterministically (each delivery's EXISTS is held until both have read "not seen") and look for
 * any double effect.
 */
type Mode = 'two batches' | 'one batch' | 'second after the first ran';
const modes: Mode[] = ['two batches', 'one batch', 'second after the first ran'];

/** One signed Cloud API webhook carrying `message` from `from`. */
function webhookOf(message: Record<string, unknown>, from = CUSTOMER) {
  return signed(envelope({ contacts: [{ ...contact, wa_id: from }], messages: [{ from, ...message }] }));
}

/**
 * Delivers one webhook twice through the door's own steps (enqueueInboundOnce with the runtime's
 * queues and numbering), both deliveries past the EXISTS check before either is queued or marked.
 * 'one batch': both continue in the same turn (one batch job); 'two batches': the second continues
 * only once the first's batch is queued (its own batch job); 'second after the first ran': only once
 * the first's job has completed (a slow door). Returns what the door told each.
 */
async function racingDoors(h: Harness, post: ReturnType<typeof webhookOf>, mode: Mode): Promise<boolean[]> {
  const [event] = webhookEvents(Buffer.from(post.body), post.headers?.['x-hub-signature-256'], true, APP_SECRET);
  if (!event) throw new Error('the webhook carries no event');
  const { key, ...job } = event;
  let arrived = 0;
  let bothPast: () => void = () => undefined;
  const past = new Promise<void>((resolve) => {
    bothPast = resolve;
  });
  let firstQueued: (jobId: string) => void = () => undefined;
  const queued = new Promise<string>((resolve) => {
    firstQueued = resolve;
  });
  const real = h.rt.redis;
  // The real EXISTS for each delivery; its answer is held until both have read theirs.
  const exists = async (seenKey: string): Promise<number> => {
    const found = await real.exists(seenKey);
    const order = arrived++;
    if (arrived === 2) bothPast();
    await past;
    if (mode !== 'one batch' && order === 1) {
      const jobId = await queued;
      if (mode === 'second after the first ran')
        await eventually(
          async () => (await h.rt.queues.inbound.getJobState(jobId)) === 'completed',
          10_000,
          'first ran',
        );
    }
    return found;
  };
  const redis = new Proxy(real, {
    get(target, prop) {
      if (prop === 'exists') return exists;
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  const queues = inboundQueuesWith(h, firstQueued);
  const deps = { redis, keys: h.rt.keys, metrics: h.rt.metrics, queues, numberAtReceipt: h.rt.numberAtReceipt };
  const deliver = () => enqueueInboundOnce(deps, { ...job, receivedAt: Date.now() }, key);
  return Promise.all([deliver(), deliver()]);
}

/** The batch jobs that carried message `id` and how many copies each held. */
async function jobsCarrying(h: Harness, id: string): Promise<number[]> {
  const events = await inboundEvents(h, ['completed', 'failed', 'active', 'wait', 'delayed']);
  const perJob = new Map<string, number>();
  for (const { job, event } of events)
    if (event.event.id === id) perJob.set(String(job.id), (perJob.get(String(job.id)) ?? 0) + 1);
  return [...perJob.values()].sort();
}

/** Entries of the portal's ordinary-message stream for message `id`. */
async function keptInStream(h: Harness, id: string): Promise<number> {
  const entries = await h.redis.xrange(h.rt.keys.inboundStream(h.memberId), '-', '+');
  return entries.filter(([, fields]) => streamFields(fields).get('id') === id).length;
}

/** Outbound events of `type` in the portal's event stream that name message `id`. */
async function hookEventsFor(h: Harness, type: string, id: string): Promise<number> {
  const entries = await h.redis.xrange(h.rt.keys.hookEvents(h.memberId), '-', '+');
  return entries.filter(([, fields]) => {
    const f = streamFields(fields);
    return f.get('type') === type && (f.get('body') ?? '').includes(id);
  }).length;
}

/**
 * What the two doors said. Once the first delivery's job has run (claimed the event in its seen
 * marker), the second's door finds another job's claim: a duplicate (webhook-seen-1.lua). While
 * both race the worker, the second may instead find the first door's marker (a duplicate) or, when
 * its own job claimed first (or both share one batch job that claimed before either door marked),
 * its own job's claim: then both say new (both were queued; one runs).
 */
function expectQueuedAsNew(answers: boolean[], mode: Mode): void {
  if (mode === 'second after the first ran') expect([...answers].sort()).toEqual([false, true]);
  else {
    expect(answers).toHaveLength(2);
    expect(answers).toContain(true);
  }
}

const carried = (mode: Mode) => (mode === 'one batch' ? [2] : [1, 1]);

describe('inbound: one event delivered twice past the seen marker (racing doors)', () => {
  describe('a button reply to an open wait', () => {
    let h: Harness;
    beforeEach(async () => {
      h = await createRegisteredHarness();
    });
    afterEach(async () => {
      await h.close();
    });

    /** The customer's answer "Да", as Meta sends it: a tap on the run's first button, or typed text. */
    const answerOf = (run: ButtonsRun, how: 'tap' | 'text', id: string) =>
      webhookOf({
        id,
        timestamp: String(Math.floor(Date.now() / 1000)),
        ...(how === 'tap'
          ? {
              type: 'interactive',
              context: { from: '15550000000', id: run.wamid },
              interactive: { type: 'button_reply', button_reply: { id: run.buttonIds[0], title: 'Да' } },
            }
          : { type: 'text', text: { body: 'Да' } }),
      });
    const hows: Array<'tap' | 'text'> = ['tap', 'text'];
    const cases = modes.flatMap((mode) => hows.map((how): ['tap' | 'text', Mode] => [how, mode]));

    it.each(cases)('a %s resumes the robot once and stays out of the ordinary messages (%s)', async (how, mode) => {
      const run = await startButtonsWait(h);
      const inbound = await jobLog(h, h.rt.queues.inbound);
      const id = `wamid.dup-${how}-${randomUUID()}`;
      // The door counts one delivery new and the other a duplicate, yet both events are queued.
      expectQueuedAsNew(await racingDoors(h, answerOf(run, how, id), mode), mode);
      expect(await jobsCarrying(h, id)).toEqual(carried(mode));
      const done = await h.portal.waitForRun(run.eventToken, 10_000);
      expect(done.returnValues).toMatchObject({ status: 'answered', answer: 'Да', reply_message_id: id });
      // The second copy is not run at all: the job that claimed the event first runs it.
      expect((await inbound.completed(2)).sort()).toEqual([RUN_ELSEWHERE, 'taken_by_wait']);
      await settled(h);
      expect(allSends(h, run.eventToken)).toHaveLength(1);
      expect(await waitField(h, run, 'status')).toBe('answered');
      expect(await keptInStream(h, id)).toBe(0);
    });
  });

  describe('an ordinary text message (no wait)', () => {
    let h: Harness;
    let receiver: Receiver;
    beforeEach(async () => {
      h = await createRegisteredHarness();
      receiver = await startReceiver();
      await runHooksCommand(h.rt, 'add', { portal: h.memberId, url: `${receiver.url}/events` }, []);
    });
    afterEach(async () => {
      await receiver.stop();
      await h.close();
    });

    it.each(modes)('is kept once and told once (message.received) (%s)', async (mode) => {
      const inbound = await jobLog(h, h.rt.queues.inbound);
      const id = `wamid.dup-text-${randomUUID()}`;
      const post = webhookOf({ id, timestamp: '1760000000', type: 'text', text: { body: 'Здравствуйте' } });
      expectQueuedAsNew(await racingDoors(h, post, mode), mode);
      expect(await jobsCarrying(h, id)).toEqual(carried(mode));
      expect((await inbound.completed(2)).sort()).toEqual([RUN_ELSEWHERE, 'ordinary']);
      await settled(h);
      expect(await hookEventsFor(h, 'message.received', id)).toBe(1);
      expect(await keptInStream(h, id)).toBe(1);
    });

    it('is kept once when its batch runs again after it ran (a worker stalled before the job completed)', async () => {
      const inbound = await jobLog(h, h.rt.queues.inbound);
      const id = `wamid.rerun-text-${randomUUID()}`;
      const post = webhookOf({ id, timestamp: '1760000000', type: 'text', text: { body: 'once' } });
      expect(await racingDoorsOnce(h, post)).toBe(true);
      expect(await inbound.completed(1)).toEqual(['ordinary']);
      // The same job, its events again (a stalled job's re-run keeps its id and carries no progress).
      const [carrier] = (await inboundEvents(h, ['completed'])).filter(({ event }) => event.event.id === id);
      const job = await h.rt.queues.inbound.getJob(String(carrier?.job.id));
      expect(job?.progress).toBe(0);
      await job?.retry('completed');
      expect(await inbound.completed(2)).toEqual(['ordinary', DONE_EARLIER]);
      await settled(h);
      expect(await keptInStream(h, id)).toBe(1);
      expect(await hookEventsFor(h, 'message.received', id)).toBe(1);
    });
  });

  describe('an ordinary text message on a line attached to an open line', () => {
    let h: Harness;
    beforeEach(async () => {
      h = await openLineHarness();
    });
    afterEach(async () => {
      await h.close();
    });

    it.each(modes)('is shown once in the open-line chat (%s)', async (mode) => {
      const inbound = await jobLog(h, h.rt.queues.inbound);
      const id = `wamid.dup-chat-${randomUUID()}`;
      const post = webhookOf({ id, timestamp: '1760000000', type: 'text', text: { body: 'twice?' } }, CHAT_CUSTOMER);
      expectQueuedAsNew(await racingDoors(h, post, mode), mode);
      expect(await jobsCarrying(h, id)).toEqual(carried(mode));
      expect((await inbound.completed(2)).sort()).toEqual([RUN_ELSEWHERE, 'ordinary']);
      await settled(h);
      // A later message of the chat is shown after whatever the two runs queued for it.
      const after = webhookOf(
        { id: `${id}-after`, timestamp: '1760000001', type: 'text', text: { body: 'after' } },
        CHAT_CUSTOMER,
      );
      expect(await racingDoorsOnce(h, after)).toBe(true);
      const chat = await chatWith(h, 2);
      await settled(h);
      expect(h.portal.openLineChat(CONNECTOR_ID, 1, CHAT_ID)?.messages.map((m) => m.text)).toEqual(['twice?', 'after']);
      expect(chat.messages.map((m) => m.text).slice(0, 2)).toEqual(['twice?', 'after']);
    });
  });
});

/** One plain delivery through the door's steps (no race). */
async function racingDoorsOnce(h: Harness, post: ReturnType<typeof webhookOf>): Promise<boolean> {
  const [event] = webhookEvents(Buffer.from(post.body), post.headers?.['x-hub-signature-256'], true, APP_SECRET);
  if (!event) throw new Error('the webhook carries no event');
  const { key, ...job } = event;
  return enqueueInboundOnce(h.rt, { ...job, receivedAt: Date.now() }, key);
}
